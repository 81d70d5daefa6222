// catalog: products, categories, search, pagination (MongoDB wire protocol; FerretDB locally).
import { createService } from '@globalmart/platform';
import { catalogConfig } from './config.ts';
import { productModel } from './product.model.ts';
import { mongoProductRepository } from './product.repository.ts';
import { productsRoutes } from './products.routes.ts';
import { demoCatalog } from './seed/demo-catalog.ts';

const svc = await createService({ configShape: catalogConfig, mongo: true });
const repo = mongoProductRepository(productModel(svc.mongo.connection));

if (svc.config.CATALOG_SEED === 'demo') {
  const products = demoCatalog();
  if ((await repo.count()) < products.length) {
    const inserted = await repo.seed(products);
    svc.logger.info({ inserted, total: products.length }, 'demo catalog seeded');
  }
}

svc.app.use(productsRoutes(repo));
await svc.start();
