export { BackendInitError, MagicError, SafetensorsError, WebGpuError } from './errors.js';
export {
  decodeTensorBytes,
  encodeTensorBytes,
  MAX_HEADER_BYTES,
  parseSafetensorsHeader,
  readSafetensors,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsFile,
  type SafetensorsHeader,
  type SafetensorsSaveDtype,
  type SafetensorsTensor,
  type TensorToSave,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './safetensors.js';
export { loadSafetensorsFile, saveSafetensorsFile } from './safetensors-file.js';
