import { awsCatalogDeps } from '../shared/aws-sql';
import { createModelHandler } from './app';

export const handler = createModelHandler(awsCatalogDeps());
