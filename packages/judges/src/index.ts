export const packageName = '@magic/judges';
