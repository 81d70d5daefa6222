// `npm run bench [browse|product-page|checkout|fanout|degradation|analytics|data|queries|recommendations|idle|capacity ...]`: every benchmark by default. Results: bench/results/*.json + markdown.
import { analyticsBench } from './analytics.bench.ts';
import { browseBench } from './browse.bench.ts';
import { capacityBench } from './capacity.ts';
import { checkoutBench } from './checkout.bench.ts';
import { dataBench } from './data.bench.ts';
import { degradationBench } from './degradation.bench.ts';
import { fanoutBench } from './fanout.bench.ts';
import { idleBench } from './idle.bench.ts';
import { productPageBench } from './product-page.bench.ts';
import { queriesBench } from './queries.bench.ts';
import { recommendationsBench } from './recommendations.bench.ts';

const all = {
  browse: browseBench,
  'product-page': productPageBench,
  checkout: checkoutBench,
  fanout: fanoutBench,
  degradation: degradationBench,
  analytics: analyticsBench,
  data: dataBench,
  queries: queriesBench,
  recommendations: recommendationsBench,
  idle: idleBench,
  // Last: it reads the newest checkout and browse results.
  capacity: capacityBench,
};
const wanted = process.argv.slice(2).filter((a) => a in all) as (keyof typeof all)[];
for (const name of wanted.length > 0 ? wanted : (Object.keys(all) as (keyof typeof all)[])) {
  await all[name]();
}
