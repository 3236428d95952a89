// Leaves SDK work running after main returns — the bug the emulator must expose: in the cloud the instance is
// frozen once main returns, so such requests are not served. `fire` starts a request without awaiting it
// (database, cloud.callFunction or an open API, or a database call from a timer) and returns; `report`, on the
// next (warm) invocation, tells what became of it.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();

const instanceTag = Math.random().toString(36).slice(2);
let late = null;
let settled = Promise.resolve();
let started = () => {};
let startedYet = Promise.resolve();

// `settled` resolves once the late request has its answer, so `report` can wait for it.
const note = (p) => {
  started();
  settled = p.then(
    () => {
      late = { served: true };
    },
    (e) => {
      late = { served: false, errCode: e.errCode, message: e.message };
    },
  );
};

const starters = {
  db: () => note(db.collection('items').add({ data: { kind: 'late' } })),
  timer: () => setTimeout(() => note(db.collection('items').add({ data: { kind: 'late' } })), 0),
  callFunction: () => note(cloud.callFunction({ name: 'helper', data: { late: true } })),
  openapi: () =>
    note(
      cloud.openapi.subscribeMessage.send({
        touser: 'o-late',
        templateId: 'tplLate',
        data: { thing1: { value: 'late' } },
      }),
    ),
};

exports.main = async (event) => {
  if (event.action === 'fire') {
    late = null;
    startedYet = new Promise((resolve) => {
      started = resolve;
    });
    starters[event.kind]();
    return { fired: event.kind, instanceTag };
  }
  await startedYet; // the timer kind starts its request only after `fire` returned
  await settled;
  // Requests made while the invocation runs are served as usual.
  const { total } = await db.collection('items').where({ kind: 'late' }).count();
  return { late, lateDocs: total, instanceTag };
};
