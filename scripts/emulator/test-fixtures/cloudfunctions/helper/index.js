// Called by `sample` through cloud.callFunction.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

exports.main = async (event) => ({ got: event, ctx: cloud.getWXContext() });
