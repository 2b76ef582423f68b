import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import * as z from 'zod/mini';
import { cursorEnv, readEnv } from '../shared/config';
import { CursorCodec } from '../shared/pagination';
import { createPartnerHandler } from './app';
import { AwsPartnerDirectory, usagePlansNamed } from './aws-directory';
import { Partners } from './partners';

const env = readEnv({
  USER_POOL_ID: z.string().check(z.minLength(1)),
  USAGE_PLAN_PREFIX: z.string().check(z.minLength(1)),
  ACCESS_TOKEN_MINUTES: z.coerce.number().check(z.int(), z.gte(5), z.lte(1440)),
  ...cursorEnv,
});

const apigateway = new APIGatewayClient({});
const directory = new AwsPartnerDirectory(new CognitoIdentityProviderClient({}), apigateway, {
  userPoolId: env.USER_POOL_ID,
  usagePlans: usagePlansNamed(apigateway, env.USAGE_PLAN_PREFIX),
  accessTokenMinutes: env.ACCESS_TOKEN_MINUTES,
});

export const handler = createPartnerHandler({
  partners: new Partners(directory, new CursorCodec(env.CURSOR_SECRET)),
});
