import { ACTION_TYPES } from '../../../lambdas/ism/policy/model';
import { isOpenSearchError, type OpenSearchError } from '../../../lambdas/shared/errors';
import {
  ISM_ACTION_TYPES_DEFAULT,
  ISM_ALLOW_LIST,
  ISM_ENABLED,
  ISM_HISTORY_MAX_AGE,
  ISM_HISTORY_RETENTION_PERIOD,
  ISM_JITTER,
  ISM_JOB_INTERVAL,
  ISM_SWEEP_PERIOD,
  ISM_SWEEP_SKIP_PERIOD,
  PLUGIN_SETTINGS,
  PluginSettingsView,
  TRANSFORM_CIRCUIT_BREAKER_JVM_THRESHOLD,
  nodeSettingsFromEnv,
  type PluginSetting,
  type SettingValue,
} from '../../../lambdas/shared/plugin-settings';
import { applyUpdate } from '../../../lambdas/shared/plugin-settings-store';

/** The error a value gets, as the envelope shows it. */
const refusal = (setting: PluginSetting<unknown>, raw: SettingValue) => {
  try {
    setting.parse(raw);
  } catch (e) {
    if (!isOpenSearchError(e)) throw e;
    return (e as OpenSearchError).toEnvelope().error;
  }
  throw new Error(`[${String(raw)}] was accepted`);
};

describe("the plugin's settings refuse what the plugin's cluster refuses, in OpenSearch's words", () => {
  const JOB = 'plugins.index_state_management.job_interval';

  test('an int below its minimum, or no int at all', () => {
    expect(refusal(ISM_JOB_INTERVAL, '0')).toMatchObject({
      type: 'illegal_argument_exception',
      reason: `Failed to parse value [0] for setting [${JOB}] must be >= 1`,
    });
    for (const bad of ['x', '1.0', ' 1', '2147483648']) {
      expect(refusal(ISM_JOB_INTERVAL, bad)).toEqual({
        type: 'illegal_argument_exception',
        reason: `Failed to parse value [${bad}] for setting [${JOB}]`,
        root_cause: [
          {
            type: 'illegal_argument_exception',
            reason: `Failed to parse value [${bad}] for setting [${JOB}]`,
          },
        ],
        caused_by: { type: 'number_format_exception', reason: `For input string: "${bad}"` },
      });
    }
    expect(ISM_JOB_INTERVAL.parse('+7')).toBe(7);
    expect(refusal(TRANSFORM_CIRCUIT_BREAKER_JVM_THRESHOLD, '101').reason).toBe(
      'Failed to parse value [101] for setting [plugins.transform.circuit_breaker.jvm.threshold] must be <= 100',
    );
  });

  test('a boolean is true or false, nothing else', () => {
    expect(ISM_ENABLED.parse('false')).toBe(false);
    for (const bad of ['yes', 'TRUE', '1']) {
      expect(refusal(ISM_ENABLED, bad).reason).toBe(
        `Failed to parse value [${bad}] as only [true] or [false] are allowed.`,
      );
    }
    expect(refusal(ISM_ENABLED, ['true']).reason).toBe(
      'Failed to parse value [[true]] as only [true] or [false] are allowed.',
    );
  });

  test('a double within its bounds (Double.parseDouble trims and takes a d suffix)', () => {
    expect(ISM_JITTER.parse(' 0.5d ')).toBe(0.5);
    expect(refusal(ISM_JITTER, '1.5').reason).toBe(
      'Failed to parse value [1.5] for setting [plugins.index_state_management.jitter] must be <= 1.0',
    );
    expect(refusal(ISM_JITTER, '-1').reason).toBe(
      'Failed to parse value [-1] for setting [plugins.index_state_management.jitter] must be >= 0.0',
    );
    expect(refusal(ISM_JITTER, 'abc').caused_by).toEqual({
      type: 'number_format_exception',
      reason: 'For input string: "abc"',
    });
  });

  test('a time value needs a unit, whole amounts, and its minimum', () => {
    const AGE = 'plugins.index_state_management.history.max_age';
    expect(ISM_HISTORY_MAX_AGE.parse('2h')).toBe(7_200_000);
    expect(ISM_HISTORY_MAX_AGE.parse('20S')).toBe(20_000);
    expect(ISM_HISTORY_RETENTION_PERIOD.parse('0')).toBe(0);
    expect(refusal(ISM_HISTORY_MAX_AGE, '5').reason).toBe(
      `failed to parse setting [${AGE}] with value [5] as a time value: unit is missing or unrecognized`,
    );
    expect(refusal(ISM_HISTORY_MAX_AGE, '5M').reason).toContain('unit is missing or unrecognized');
    expect(refusal(ISM_HISTORY_MAX_AGE, '1.5h')).toMatchObject({
      reason: 'failed to parse [1.5h], fractional time values are not supported',
      caused_by: { type: 'number_format_exception', reason: 'For input string: "1.5"' },
    });
    expect(refusal(ISM_HISTORY_MAX_AGE, 'xs')).toMatchObject({
      reason: 'failed to parse [xs]',
      caused_by: { reason: 'For input string: "x"' },
    });
    expect(refusal(ISM_HISTORY_MAX_AGE, '-2s').reason).toBe(
      `failed to parse setting [${AGE}] with value [-2s] as a time value: negative durations are not supported`,
    );
    expect(refusal(ISM_HISTORY_MAX_AGE, '-1').reason).toBe(
      `failed to parse value [-1] for setting [${AGE}], must be >= [0ms]`,
    );
    expect(refusal(ISM_SWEEP_PERIOD, '1m').reason).toBe(
      'failed to parse value [1m] for setting [plugins.index_state_management.coordinator.sweep_period], must be >= [5m]',
    );
    expect(ISM_SWEEP_SKIP_PERIOD.parse('-1')).toBe(-1);
  });

  test('a list takes a list, or a text split at commas', () => {
    expect(ISM_ALLOW_LIST.parse(['rollover', 'delete'])).toEqual(['rollover', 'delete']);
    expect(ISM_ALLOW_LIST.parse('rollover, delete')).toEqual(['rollover', 'delete']);
  });
});

describe('the values in force', () => {
  test('transient over persistent over the deployment over the default', () => {
    const node = { [ISM_JOB_INTERVAL.key]: '3' };
    expect(new PluginSettingsView({}).get(ISM_JOB_INTERVAL)).toBe(5);
    expect(new PluginSettingsView({ node }).get(ISM_JOB_INTERVAL)).toBe(3);
    expect(
      new PluginSettingsView({ node, persistent: { [ISM_JOB_INTERVAL.key]: '2' } }).get(ISM_JOB_INTERVAL),
    ).toBe(2);
    expect(
      new PluginSettingsView({
        node,
        persistent: { [ISM_JOB_INTERVAL.key]: '2' },
        transient: { [ISM_JOB_INTERVAL.key]: '1' },
      }).get(ISM_JOB_INTERVAL),
    ).toBe(1);
  });

  test('a plugins.* setting falls back to its opendistro.* twin, but its own value wins', () => {
    const legacy = 'opendistro.index_state_management.enabled';
    expect(new PluginSettingsView({ transient: { [legacy]: 'false' } }).get(ISM_ENABLED)).toBe(false);
    expect(
      new PluginSettingsView({
        transient: { [legacy]: 'false' },
        persistent: { [ISM_ENABLED.key]: 'true' },
      }).get(ISM_ENABLED),
    ).toBe(true);
  });

  test('include_defaults lists every setting not set, with the value that applies', () => {
    const view = new PluginSettingsView({
      persistent: { 'opendistro.index_state_management.job_interval': '2' },
      node: { [ISM_JITTER.key]: '0.1' },
    });
    const defaults = view.defaults();
    expect(Object.keys(defaults)).toHaveLength(PLUGIN_SETTINGS.size - 1);
    expect(defaults).not.toHaveProperty(['opendistro.index_state_management.job_interval']);
    expect(defaults[ISM_JOB_INTERVAL.key]).toBe('2');
    expect(defaults[ISM_JITTER.key]).toBe('0.1');
    expect(defaults['plugins.index_state_management.history.max_age']).toBe('24h');
    expect(defaults['opendistro.index_state_management.coordinator.sweep_period']).toBe('10m');
    expect(defaults['plugins.index_state_management.restricted_index_pattern']).toBe(
      '\\.opendistro_security|\\.kibana.*|\\.opendistro-ism-config',
    );
  });

  test("the deployment's environment gives node values; a value the plugin would refuse is ignored", () => {
    expect(
      nodeSettingsFromEnv({
        ISM_JOB_INTERVAL_MINUTES: '2',
        ISM_JITTER: '7',
        ISM_HISTORY_MAX_AGE_HOURS: '12',
        ISM_HISTORY_RETENTION_DAYS: '7',
        ISM_ALLOW_LIST: 'rollover,delete',
        ROLLUP_SEARCH_ALL_JOBS: 'true',
      }),
    ).toEqual({
      [ISM_JOB_INTERVAL.key]: '2',
      'plugins.index_state_management.history.max_age': '12h',
      'plugins.index_state_management.history.rollover_retention_period': '7d',
      [ISM_ALLOW_LIST.key]: ['rollover', 'delete'],
      'plugins.rollup.search.search_all_jobs': 'true',
    });
  });

  test('the allow list defaults to every action type we serve, the plugin’s first', () => {
    expect([...ISM_ACTION_TYPES_DEFAULT].sort()).toEqual([...ACTION_TYPES].sort());
    expect(new PluginSettingsView({}).get(ISM_ALLOW_LIST)).toEqual(ISM_ACTION_TYPES_DEFAULT);
  });
});

describe('an update of the stored values', () => {
  test('sets values, resets with null, and a pattern ending in * resets every key it matches', () => {
    const current = {
      persistent: { 'plugins.index_state_management.job_interval': '2', 'plugins.rollup.enabled': 'false' },
      transient: { 'plugins.index_state_management.jitter': '0.1' },
    };
    expect(
      applyUpdate(current, {
        persistent: { 'plugins.index_state_management.*': null, 'plugins.rollup.search.enabled': 'false' },
        transient: { 'plugins.index_state_management.jitter': null },
      }),
    ).toEqual({
      persistent: { 'plugins.rollup.enabled': 'false', 'plugins.rollup.search.enabled': 'false' },
      transient: {},
    });
  });
});
