import { awsCatalogDeps } from '../shared/aws';
import { createBrandHandler } from './app';

export const handler = createBrandHandler(awsCatalogDeps());
