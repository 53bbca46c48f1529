// Side-effect module: registers every tfjs-core gradient in the global gradient registry.
export {};
