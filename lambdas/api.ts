import { routes } from './routes';
import { apiHandlerFactory } from './shared/http/api-handler';

/** The handler factory of this API's functions, bound to its route table. */
export const createApiHandler = apiHandlerFactory(routes);
