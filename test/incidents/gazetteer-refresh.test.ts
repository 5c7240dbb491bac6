/**
 * A gazetteer loaded while the gateway runs (`gateway seed --file`, from another process) is
 * used by the report flow within GAZETTEER_REFRESH_MS, without a restart: a place added to the
 * Area table is accepted as an answer to "where".
 * Found by a tester: in production the gateway starts with no areas, and every report stopped at
 * "where" until a restart.
 */
import { describe, expect, it } from 'vitest';
import { seedAreas } from '../../src/areas/gazetteer.js';
import { eventually } from '../support/gateway.js';
import { Person, useIncidentGateway, type IncidentGateway } from './support.js';

let gateway: IncidentGateway;

useIncidentGateway((started) => (gateway = started), { env: { GAZETTEER_REFRESH_MS: '100' } });

describe('a gazetteer loaded while the gateway runs', () => {
  it('is offered and accepted by the report flow without a restart', async () => {
    const reporter = new Person(gateway, 'gazetteer-reporter');
    await reporter.say('report');
    await reporter.next('What is happening?');
    await reporter.say('1');
    const before = await reporter.next('Where is it happening?');
    expect(before).not.toContain('Zawadi');

    await seedAreas(gateway.db, [{ id: 'zawadi', name: 'Zawadi', aliases: ['زوادي'], level: 'locality', parent: 'north', timezone: 'Africa/Nairobi' }]);
    // Within the refresh period the worker's gazetteer has the place; the flow then takes the answer.
    await eventually(() => gateway.catalog.areas.get('zawadi'), 10_000, 'the gazetteer to be read again');
    await reporter.say('Zawadi');
    await reporter.next('When did it happen?');
  });
});
