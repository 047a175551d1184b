import { agentsNeededErlangC, erlangB, erlangC, erlangCPerformance } from '../../bot/routing/erlang.js';

describe('Erlang B', () => {
  // Standard Erlang B table, 1 % grade of service (e.g. any published Erlang B table): the traffic
  // that 5, 10, 18 and 20 circuits carry at 1 % blocking is 1.361, 4.461, 10.437 and 12.031 Erlangs.
  it.each([
    [5, 1.361],
    [10, 4.461],
    [18, 10.437],
    [20, 12.031],
  ])('Erlang B table at 1 %%: %i circuits carry %f Erlangs', (circuits, erlangs) => {
    expect(erlangB(circuits, erlangs)).toBeCloseTo(0.01, 4);
  });

  it('stays finite and exact where factorials would overflow (1,000 agents)', () => {
    const b = erlangB(1000, 950);
    expect(Number.isFinite(b)).toBe(true);
    expect(b).toBeGreaterThan(0);
    expect(b).toBeLessThan(0.01);
    expect(erlangC(1000, 950)).toBeGreaterThan(b);
    expect(erlangC(1000, 950)).toBeLessThan(1);
  });
});

describe('Erlang C against published worked examples', () => {
  // Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
  // (callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls per 30 minutes, AHT 180 s
  // = 10 Erlangs; with 11 agents the probability a call waits is 68.21 %; an 80 % / 20 s service
  // level needs 14 agents, at an occupancy of 71.4 %.
  const callCentreHelper = { arrivalRatePerSecond: 100 / 1800, averageHandleTimeInSeconds: 180 };

  it('Call Centre Helper: 10 Erlangs, 11 agents: a call waits with probability 68.21 %', () => {
    const p = erlangCPerformance(callCentreHelper, 11, 20);
    expect(p.trafficInErlangs).toBeCloseTo(10, 10);
    expect(p.probabilityOfWaiting).toBeCloseTo(0.6821, 4);
  });

  it('Call Centre Helper: 80 % answered in 20 s needs 14 agents (13 fall short), occupancy 71.4 %', () => {
    expect(agentsNeededErlangC(callCentreHelper, { targetServiceLevel: 0.8, targetAnswerTimeInSeconds: 20 })).toBe(14);
    expect(erlangCPerformance(callCentreHelper, 13, 20).serviceLevel).toBeLessThan(0.8);
    const fourteen = erlangCPerformance(callCentreHelper, 14, 20);
    expect(fourteen.serviceLevel).toBeGreaterThan(0.8);
    expect(fourteen.occupancy).toBeCloseTo(0.714, 3);
  });

  // Vicente Rodríguez's Erlang C calculator, worked example (personal.telefonica.terra.es/web/vr/
  // erlang/eng/mcerlc.htm): 600 calls an hour of 120 s = 20 Erlangs; a 15 % delay probability
  // target needs 26 circuits, with an average delay of about 3 s per call; 30 circuits bring the
  // delay probability to 2.5 %; 30 circuits at 15 % carry 23.6 Erlangs.
  it('Rodríguez: 20 Erlangs at 15 % delay probability needs 26 agents, about 3 s average delay', () => {
    expect(erlangC(25, 20)).toBeGreaterThan(0.15);
    expect(erlangC(26, 20)).toBeLessThan(0.15);
    const load = { arrivalRatePerSecond: 600 / 3600, averageHandleTimeInSeconds: 120 };
    const asa = erlangCPerformance(load, 26, 20).averageSpeedOfAnswerInSeconds;
    expect(asa).toBeGreaterThan(2.5);
    expect(asa).toBeLessThan(3.5);
  });

  it('Rodríguez: 30 agents at 20 Erlangs delay 2.5 % of calls', () => {
    expect(erlangC(30, 20)).toBeCloseTo(0.025, 3);
  });

  it('Rodríguez: 30 agents at a 15 % delay probability carry 23.6 Erlangs', () => {
    let low = 20;
    let high = 30;
    for (let i = 0; i < 60; i++) {
      const middle = (low + high) / 2;
      if (erlangC(30, middle) < 0.15) low = middle;
      else high = middle;
    }
    expect(low).toBeCloseTo(23.6, 1);
  });
});

describe('Erlang C properties', () => {
  const load = { arrivalRatePerSecond: 1 / 18, averageHandleTimeInSeconds: 180 };

  it('service level rises and ASA falls with every added agent', () => {
    let previous = erlangCPerformance(load, 11, 20);
    for (let agents = 12; agents <= 20; agents++) {
      const p = erlangCPerformance(load, agents, 20);
      expect(p.serviceLevel).toBeGreaterThan(previous.serviceLevel);
      expect(p.averageSpeedOfAnswerInSeconds).toBeLessThan(previous.averageSpeedOfAnswerInSeconds);
      previous = p;
    }
  });

  it('too few agents: every call waits and the wait has no bound', () => {
    expect(erlangCPerformance(load, 10, 20)).toMatchObject({ probabilityOfWaiting: 1, serviceLevel: 0, averageSpeedOfAnswerInSeconds: Number.POSITIVE_INFINITY });
  });

  it('meets every stated limit when staffing: an occupancy cap can add agents', () => {
    const target = { targetServiceLevel: 0.8, targetAnswerTimeInSeconds: 20 };
    expect(agentsNeededErlangC(load, { ...target, maxOccupancy: 0.65 })).toBe(16);
    expect(agentsNeededErlangC(load, { ...target, maxAverageSpeedOfAnswerInSeconds: 5 })).toBe(15);
  });

  it('rejects a non-integer or zero agent count', () => {
    expect(() => erlangC(0, 1)).toThrow(RangeError);
    expect(() => erlangB(2.5, 1)).toThrow(RangeError);
  });
});
