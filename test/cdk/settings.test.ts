import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../lib/defaults';
import { DEFAULT_SETTINGS, settingsFromContext } from '../../lib/settings';

const contextNode = (context: Record<string, unknown>) => new App({ context }).node;

describe('Function: settingsFromContext', () => {
  it('returns the defaults when the context sets nothing', () => {
    expect(settingsFromContext(contextNode({}))).toEqual(DEFAULT_SETTINGS);
  });

  it('reads values as cdk.json gives them (typed) and as -c gives them (strings)', () => {
    // Arrange
    const node = contextNode({
      'salesApi:deletionProtection': 'true',
      'salesApi:reservedConcurrency': 5,
      'salesApi:minCapacity': '0.5',
      'salesApi:maxCapacity': 8,
      'salesApi:throttleRateLimit': '10',
      'salesApi:throttleBurstLimit': 20,
      'salesApi:authDomainPrefix': 'acme-sales',
      'salesApi:reportingCurrency': 'USD',
    });

    // Act
    const settings = settingsFromContext(node);

    // Assert
    expect(settings).toEqual({
      deletionProtection: true,
      reservedConcurrency: 5,
      minCapacity: 0.5,
      maxCapacity: 8,
      throttleRateLimit: 10,
      throttleBurstLimit: 20,
      authDomainPrefix: 'acme-sales',
      reportingCurrency: 'USD',
    });
  });

  it('switches reserved concurrency off with none', () => {
    const settings = settingsFromContext(contextNode({ 'salesApi:reservedConcurrency': 'none' }));

    expect(settings.reservedConcurrency).toBeUndefined();
  });

  it.each([
    ['salesApi:deletionProtection', 'yes'],
    ['salesApi:maxCapacity', 'lots'],
    ['salesApi:throttleRateLimit', -1],
    ['salesApi:authDomainPrefix', ''],
    ['salesApi:reportingCurrency', 'euro'],
    // Three capitals, but no ISO 4217 code: the API would refuse it in a request, so the stack refuses it too.
    ['salesApi:reportingCurrency', 'ABC'],
    ['salesApi:reservedConcurrency', 2.5],
    ['salesApi:deletionProtektion', true],
  ])('rejects %s = %j, naming the key', (key, value) => {
    expect(() => settingsFromContext(contextNode({ [key]: value }))).toThrow(key);
  });

  it('rejects a capacity range whose minimum exceeds its maximum', () => {
    const node = contextNode({ 'salesApi:minCapacity': 8, 'salesApi:maxCapacity': 2 });

    expect(() => settingsFromContext(node)).toThrow('salesApi:minCapacity must not exceed maxCapacity');
  });

  it('takes its throttle and currency defaults from the module the local stack reads too', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({
      throttleRateLimit: DEFAULTS.throttle.rateLimit,
      throttleBurstLimit: DEFAULTS.throttle.burstLimit,
      reportingCurrency: DEFAULTS.reportingCurrency,
    });
  });
});
