/*
 * The one place @magic/tensor touches process.env. The native libraries under Dawn are configured only through
 * the environment: the dynamic loader (LD_LIBRARY_PATH), the Vulkan loader's driver choice (VK_DRIVER_FILES /
 * VK_ICD_FILENAMES) and Mesa's EGL platform for the software adapter (EGL_PLATFORM). Everything else is an option.
 */

/** What the dynamic loader and the Vulkan loader will read from the environment. */
export interface NativeLoaderEnv {
  ldLibraryPath: string | undefined;
  /** A user-named Vulkan ICD: the user wants the hardware probe whatever /dev shows. */
  icdOverride: string | undefined;
}

export function nativeLoaderEnv(): NativeLoaderEnv {
  return {
    ldLibraryPath: process.env.LD_LIBRARY_PATH,
    icdOverride: process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES,
  };
}

/** Mesa's EGL needs a platform without a display for the software adapter (a user's own choice is kept). */
export function useSurfacelessEgl(): void {
  process.env.EGL_PLATFORM ??= 'surfaceless';
}
