// `npm run bench [browse|checkout ...]`: every benchmark by default. Results: bench/results/*.json + markdown.
import { browseBench } from './browse.bench.ts';
import { checkoutBench } from './checkout.bench.ts';

const all = { browse: browseBench, checkout: checkoutBench };
const wanted = process.argv.slice(2).filter((a) => a in all) as (keyof typeof all)[];
for (const name of wanted.length > 0 ? wanted : (Object.keys(all) as (keyof typeof all)[])) {
  await all[name]();
}
