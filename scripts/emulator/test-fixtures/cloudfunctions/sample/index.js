// Sample function for the emulator tests: one action per behaviour under test, the three invocation paths
// (callFunction, HTTP access, timer) told apart by the event's shape.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;

// Module state survives warm invocations of one instance.
const instanceTag = Math.random().toString(36).slice(2);
let calls = 0;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function decodeBody(event) {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

async function onHttp(event) {
  const mode = event.queryStringParameters.mode;
  if (mode === 'string') return 'plain text';
  if (mode === 'object') return { hello: 'json' };
  if (mode === 'fail') throw new Error('http kaboom');
  const body = decodeBody(event);
  return {
    statusCode: 201,
    headers: { 'content-type': 'text/xml', 'x-echo': 'yes' },
    body: `<xml><echo><![CDATA[${JSON.stringify({ event, body, ctx: cloud.getWXContext() })}]]></echo></xml>`,
  };
}

async function onTimer(event) {
  await db.collection('items').add({
    data: { kind: 'tick', event, ctx: cloud.getWXContext(), triggerSrc: process.env.TRIGGER_SRC || null },
  });
  return 'ignored by the platform';
}

const actions = {
  whoami: async (event) => ({
    ctx: cloud.getWXContext(),
    userInfo: event.userInfo,
    env: {
      GREETING: process.env.GREETING,
      SECRET: process.env.SECRET,
      EXTRA: process.env.EXTRA,
      WXPAY_BASE_URL: process.env.WXPAY_BASE_URL,
    },
  }),
  counter: async () => {
    calls += 1;
    return { calls, instanceTag };
  },
  sleep: async (event) => {
    await sleep(event.ms);
    return { ctx: cloud.getWXContext() };
  },
  spin: async () => {
    for (;;) {
      // never yields: only terminating the instance stops it
    }
  },
  claim: async (event) => {
    const res = await db
      .collection('counters')
      .where({ _id: event.id, status: 'A' })
      .update({ data: { status: 'B' } });
    return { updated: res.stats.updated, instanceTag };
  },
  dbops: async () => {
    const { _id } = await db.collection('items').add({ data: { kind: 'dbops', n: 1 } });
    await db.collection('items').doc(_id).get();
    await db
      .collection('items')
      .doc(_id)
      .update({ data: { n: _.inc(1) } });
    return { _id };
  },
  callHelper: async () => {
    const res = await cloud.callFunction({ name: 'helper', data: { x: 1 } });
    return res;
  },
  callMissing: async () => {
    try {
      await cloud.callFunction({ name: 'nope', data: {} });
      return { ok: true };
    } catch (e) {
      return { errCode: e.errCode, errMsg: e.errMsg };
    }
  },
  send: async (event) => {
    try {
      const res = await cloud.openapi.subscribeMessage.send({
        touser: event.touser,
        templateId: event.templateId,
        page: 'pages/order/detail?id=1',
        miniprogramState: 'developer',
        data: event.data,
      });
      return { ok: true, res };
    } catch (e) {
      return { ok: false, errCode: e.errCode, errMsg: e.errMsg };
    }
  },
  throw: async () => {
    throw new Error('kaboom');
  },
  missingCollection: async () => {
    try {
      await db.collection('nowhere').add({ data: { a: 1 } });
      return { ok: true };
    } catch (e) {
      return { errCode: e.errCode, errMsg: e.errMsg };
    }
  },
};

exports.main = async (event, context) => {
  if (event.httpMethod) return onHttp(event, context);
  if (event.Type === 'Timer') return onTimer(event, context);
  const action = actions[event.action];
  if (!action) throw new Error(`unknown action ${event.action}`);
  return action(event, context);
};
