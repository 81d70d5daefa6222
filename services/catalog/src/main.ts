// catalog: products, categories, search, pagination, admin edits (MongoDB wire protocol; FerretDB locally).
import { createService } from '@globalmart/platform';
import { catalogConfig } from './config.ts';
import { productModel } from './product.model.ts';
import { cachedProductList } from './product-list.cache.ts';
import { mongoProductRepository } from './product.repository.ts';
import { productsRoutes } from './products.routes.ts';
import { adminProductsRoutes } from './admin-products.routes.ts';
import { seedDemoCatalog } from './seed/seed.ts';

const svc = await createService({ configShape: catalogConfig, mongo: true });
const repo = mongoProductRepository(productModel(svc.mongo.connection));
const products = cachedProductList(repo, svc.dapr.state('statestore'), svc.config.CATALOG_CACHE_TTL_SECONDS, svc.logger);

if (svc.config.CATALOG_SEED === 'demo') await seedDemoCatalog(repo, products, svc.logger);

svc.app.use(productsRoutes(products));
svc.app.use(adminProductsRoutes(repo, products, svc.dapr.publisher, svc.logger));
await svc.start();
