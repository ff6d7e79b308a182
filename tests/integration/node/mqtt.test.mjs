// MQTT.js against the broker over every listener (TCP, WebSocket, TLS, WebSocket over TLS),
// MQTT 3.1.1 and 5.0: publish/subscribe QoS 0/1/2 round trips.
//
// Run through ../run_node_tests.py, which starts a broker with harness.py and sets
// MILLET_HOST, MILLET_{MQTT,WS,MQTTS,WSS}_PORT and MILLET_CA_FILE.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import mqtt from 'mqtt';

const TIMEOUT_MS = 5000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run tests/integration/run_node_tests.py`);
  }
  return value;
}

const host = process.env.MILLET_HOST ?? '127.0.0.1';
const ca = fs.readFileSync(required('MILLET_CA_FILE'));
const transports = {
  tcp: { url: `mqtt://${host}:${required('MILLET_MQTT_PORT')}`, tls: false },
  ws: { url: `ws://${host}:${required('MILLET_WS_PORT')}/mqtt`, tls: false },
  mqtts: { url: `mqtts://${host}:${required('MILLET_MQTTS_PORT')}`, tls: true },
  wss: { url: `wss://${host}:${required('MILLET_WSS_PORT')}/mqtt`, tls: true },
};

const unique = () => randomBytes(6).toString('hex');
const openClients = [];

after(async () => {
  await Promise.all(openClients.map((c) => c.endAsync(true).catch(() => {})));
});

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS} ms: ${what}`)),
      TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function connect(transport, protocolVersion, options = {}) {
  const t = transports[transport];
  const opts = {
    protocolVersion,
    clientId: `node-${transport}-v${protocolVersion}-${unique()}`,
    clean: true,
    reconnectPeriod: 0, // a test must see failures, not retries
    connectTimeout: TIMEOUT_MS,
    ...options,
  };
  if (t.tls) {
    opts.ca = ca;
    opts.rejectUnauthorized = true;
  }
  const client = await withTimeout(mqtt.connectAsync(t.url, opts), `connect ${t.url}`);
  openClients.push(client);
  return client;
}

// Resolves with the next message on `topic` (topic, payload, packet).
function nextMessage(client, topic) {
  return withTimeout(new Promise((resolve) => {
    const onMessage = (t, payload, packet) => {
      if (t === topic) {
        client.off('message', onMessage);
        resolve({ topic: t, payload, packet });
      }
    };
    client.on('message', onMessage);
  }), `message on ${topic}`);
}

for (const transport of Object.keys(transports)) {
  for (const version of [4, 5]) {
    describe(`${transport} (${transports[transport].url}) MQTT ${version === 5 ? '5.0' : '3.1.1'}`, () => {
      for (const qos of [0, 1, 2]) {
        test(`QoS ${qos} round trip`, async () => {
          const topic = `it/node/${transport}/v${version}/q${qos}/${unique()}`;
          const sub = await connect(transport, version);
          const granted = await withTimeout(sub.subscribeAsync(topic, { qos: 2 }), 'SUBACK');
          assert.equal(granted[0].qos, 2);
          const pub = await connect(transport, version);
          const payload = Buffer.concat([Buffer.from(`${transport} q${qos} `), randomBytes(64)]);
          const received = nextMessage(sub, topic);
          // Resolves on PUBACK (QoS 1) / PUBCOMP (QoS 2), on send for QoS 0.
          await withTimeout(pub.publishAsync(topic, payload, { qos }), `publish QoS ${qos}`);
          const m = await received;
          assert.equal(m.topic, topic);
          assert.deepEqual(m.payload, payload);
          assert.equal(m.packet.qos, qos);
          assert.equal(m.packet.retain, false);
          await Promise.all([sub.endAsync(), pub.endAsync()]);
        });
      }

      test('retained message is delivered on subscribe with the retain flag', async () => {
        const topic = `it/node/${transport}/v${version}/retained/${unique()}`;
        const pub = await connect(transport, version);
        await withTimeout(pub.publishAsync(topic, 'kept', { qos: 1, retain: true }), 'publish');
        const sub = await connect(transport, version);
        const received = nextMessage(sub, topic);
        await withTimeout(sub.subscribeAsync(topic, { qos: 1 }), 'SUBACK');
        const m = await received;
        assert.equal(m.payload.toString(), 'kept');
        assert.equal(m.packet.retain, true);
        await withTimeout(pub.publishAsync(topic, '', { qos: 1, retain: true }), 'clear');
        await Promise.all([sub.endAsync(), pub.endAsync()]);
      });
    });
  }
}

describe('MQTT 5.0 properties over WebSocket', () => {
  test('user properties, response topic and correlation data pass through', async () => {
    const topic = `it/node/ws/v5/props/${unique()}`;
    const sub = await connect('ws', 5);
    await withTimeout(sub.subscribeAsync(topic, { qos: 1 }), 'SUBACK');
    const pub = await connect('wss', 5);
    const received = nextMessage(sub, topic);
    const properties = {
      userProperties: { room: 'kitchen', unit: 'C' },
      responseTopic: `${topic}/reply`,
      correlationData: Buffer.from([0, 1, 2, 255]),
      contentType: 'application/json',
    };
    await withTimeout(pub.publishAsync(topic, '{"t":21}', { qos: 1, properties }), 'publish');
    const m = await received;
    const p = m.packet.properties;
    assert.deepEqual({ ...p.userProperties }, { room: 'kitchen', unit: 'C' });
    assert.equal(p.responseTopic, `${topic}/reply`);
    assert.deepEqual(Buffer.from(p.correlationData), Buffer.from([0, 1, 2, 255]));
    assert.equal(p.contentType, 'application/json');
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });
});
