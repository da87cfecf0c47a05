import { conditionsFromRolloverInfo, metConditions } from '../../../lambdas/rollover/model';

describe("a rollover's conditions from the cluster's rollover_info", () => {
  it("names each met condition as the rollover's response does", () => {
    const conditions = conditionsFromRolloverInfo({ max_docs: 1000, max_age: '7d', max_size: '50gb' });
    expect(conditions).toEqual({ '[max_docs: 1000]': true, '[max_age: 7d]': true, '[max_size: 50gb]': true });
    expect(metConditions(conditions)).toEqual(['[max_docs: 1000]', '[max_age: 7d]', '[max_size: 50gb]']);
  });

  it('is empty for an unconditional rollover or none known', () => {
    expect(conditionsFromRolloverInfo({})).toEqual({});
    expect(conditionsFromRolloverInfo(undefined)).toEqual({});
  });
});
