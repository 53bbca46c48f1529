export const packageName = '@magic/eval-app';
