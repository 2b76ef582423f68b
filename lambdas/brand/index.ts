import { awsCatalogDeps } from '../shared/aws-sql';
import { createBrandHandler } from './app';

export const handler = createBrandHandler(awsCatalogDeps());
