import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageDefaults } from '../../lib/settings';
import { buildStack } from './synth';

describe('Function: addComplianceChecks', () => {
  // cdk-nag runs as a validation plugin during synth: in tests an unacknowledged error makes synth throw with
  // the full report as the failure message. Warnings do not throw, so the report must be empty as well.
  it.each([
    ['the dev stage', stageDefaults('dev')],
    ['the prod stage', stageDefaults('prod', { alarmEmail: 'ops@example.com' })],
  ])(
    'leaves no unacknowledged AwsSolutions finding with %s',
    (_, settings) => {
      // Arrange
      const { app } = buildStack({ settings, compliance: true });

      // Act
      const assembly = app.synth();

      // Assert
      const report = JSON.parse(
        fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
      );
      const findings = report.pluginReports.flatMap((r: { violations?: unknown[] }) => r.violations ?? []);
      expect(findings).toEqual([]);
    },
    60_000,
  );
});
