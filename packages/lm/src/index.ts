export const packageName = '@magic/lm';
