export const packageName = '@magic/benchmarks';
