/** Registers every tfjs-core gradient in the global gradient registry (call after tfjs-core has loaded). */
export declare function registerAllGradients(): void;
