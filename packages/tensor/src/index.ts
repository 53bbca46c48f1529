export const packageName = '@magic/tensor';
