export const packageName = '@magic/trainer-app';
