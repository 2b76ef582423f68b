import { awsCatalogDeps } from '../shared/aws';
import { createModelHandler } from './app';

export const handler = createModelHandler(awsCatalogDeps());
