import { magicTsup } from '@magic/tsup-config';

export default magicTsup({ entry: ['src/index.ts', 'src/testing.ts', 'src/server.ts'] });
