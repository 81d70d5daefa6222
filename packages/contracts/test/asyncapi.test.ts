import { createRequire } from 'node:module';
import { Ajv, type AnySchema } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  CLOUDEVENTS_JSON,
  OrderPlaced,
  allTopics,
  appIds,
  buildAsyncApiDocument,
  eventCatalog,
  eventTypes,
  publishableTopics,
  subscribableTopics,
  topics,
  type EventSpec,
} from '../src/index.ts';

const document = buildAsyncApiDocument();
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The official AsyncAPI 3.0.0 JSON Schema (it bundles its own draft-07 meta-schema, hence meta: false). */
function asyncApiValidator() {
  const schema = createRequire(import.meta.url)('@asyncapi/specs/schemas/3.0.0.json') as AnySchema;
  return new Ajv({ meta: false, validateSchema: false, strict: false, allErrors: true, validateFormats: false, logger: false }).compile(
    schema,
  );
}

describe('asyncapi.json', () => {
  it('is a valid AsyncAPI 3.0.0 document (the official JSON Schema from @asyncapi/specs)', () => {
    const validate = asyncApiValidator();
    const valid = validate(json(document));
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the validation can fail: an AsyncAPI 2 verb and a malformed message are refused', () => {
    const validate = asyncApiValidator();
    type Editable = { operations: Record<string, Record<string, unknown>>; channels: Record<string, Record<string, unknown>> };
    const broken = json(document) as unknown as Editable;
    broken.operations['orders.send.orders']!.action = 'publish';
    expect(validate(broken)).toBe(false);
    const broken2 = json(document) as unknown as Editable;
    broken2.channels.orders!.messages = { OrderPlaced: { payload: 42 } };
    expect(validate(broken2)).toBe(false);
  });

  it('has a channel per topic and per dead-letter topic, carrying exactly that topic’s events', () => {
    expect(Object.keys(document.channels).sort()).toEqual(allTopics());
    for (const topic of Object.values(topics)) {
      const names = (Object.values(eventCatalog) as EventSpec[]).filter((s) => s.topic === topic).map((s) => s.name);
      for (const channel of [topic, `${topic}-dlq`]) {
        const { address, messages } = document.channels[channel] as { address: string; messages: Record<string, { $ref: string }> };
        expect(address).toBe(channel);
        expect(Object.keys(messages).sort()).toEqual(names.sort());
        for (const [name, ref] of Object.entries(messages)) expect(ref).toEqual({ $ref: `#/components/messages/${name}` });
      }
    }
  });

  it('has a message per CloudEvent type: the envelope with `type` fixed and `data` the event schema', () => {
    const messages = document.components.messages as Record<
      string,
      { contentType: string; 'x-cloudevents-type': string; payload: unknown }
    >;
    expect(Object.keys(messages).sort()).toEqual((Object.values(eventCatalog) as EventSpec[]).map((s) => s.name).sort());
    for (const [type, spec] of Object.entries(eventCatalog) as [string, EventSpec][]) {
      const message = messages[spec.name]!;
      expect(message.contentType).toBe(CLOUDEVENTS_JSON);
      expect(message['x-cloudevents-type']).toBe(type);
      expect(JSON.stringify(message.payload)).toContain(`"$ref":"#/components/schemas/${spec.name}"`);
      expect(document.components.schemas[spec.name]).toBeTypeOf('object');
    }
  });

  it('sends and receives exactly what the access table (the Dapr pub/sub scopes) allows each app', () => {
    for (const app of appIds) {
      const ops = Object.values(document.operations).filter((op) => op['x-dapr-app-id'] === app);
      const on = (action: string) =>
        ops
          .filter((op) => op.action === action)
          .map((op) => op.channel.$ref.replace('#/channels/', ''))
          .sort();
      expect(on('send'), app).toEqual(publishableTopics(app));
      expect(on('receive'), app).toEqual(subscribableTopics(app));
    }
  });

  it('a message payload accepts the CloudEvent Dapr delivers and refuses one zod refuses too', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile({ ...json(document), $ref: '#/components/messages/OrderPlaced/payload' });
    const data = {
      order_id: 'ord_1',
      customer_id: 'usr_1',
      items: [{ product_id: 'prd_000001', quantity: 2, unit_price: 4.5, currency: 'USD' }],
      total: 9,
      currency: 'USD',
      occurred_at: '2026-11-30T12:00:00Z',
    };
    const event = { specversion: '1.0', id: 'e-1', source: 'orders', type: eventTypes.OrderPlaced, topic: 'orders', data };
    expect(OrderPlaced.safeParse(data).success).toBe(true);
    expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    const zeroQuantity = { ...data, items: [{ ...data.items[0]!, quantity: 0 }] };
    expect(OrderPlaced.safeParse(zeroQuantity).success).toBe(false);
    expect(validate({ ...event, data: zeroQuantity })).toBe(false);
    expect(validate({ ...event, type: eventTypes.StockUpdated })).toBe(false);
    const { id: _id, ...withoutId } = event;
    expect(validate(withoutId)).toBe(false);
  });
});
