import { clickFigures, restartFigures } from './delivery.js';

const which = process.argv[2] as 'slack' | 'discord';
console.log(JSON.stringify(await restartFigures(which)));
console.log(JSON.stringify(await clickFigures(which)));
process.exit(0);
