import { magicTsup } from '@magic/tsup-config';

export default magicTsup();
