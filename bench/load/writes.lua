-- The write mix, in turn: a new contact; a pay-due without a key; pay-dues with a fresh Idempotency-Key; the
-- deliberate retries of earlier keyed pay-dues (the same key and body, sent again while or after the first runs);
-- a fund transfer between two accounts. Keyed pay-dues carry their key as the payment note, so bench/load.py can
-- count each key's effects afterwards.
package.path = os.getenv("LOAD_LUA_DIR") .. "/?.lua;" .. package.path
local config = require("common")
local step, serial = 0, 0
local retries = {}

function init(args)
  init_counts()
  step = thread_id
end

local function pay_due(customer, amount, key)
  local note = key and (',"note":"' .. key .. '"') or ""
  local body = string.format('{"amount":%s,"method":"cash","account_id":%d%s}', amount,
    config.accounts[customer % #config.accounts + 1], note)
  local headers = key and headers_json({["Idempotency-Key"] = key}) or headers_json()
  return wrk.format("POST", config.base .. "/contacts/" .. customer .. "/payments", headers, body)
end

local function keyed()
  serial = serial + 1
  local key = string.format("%s-t%d-%d", config.key_prefix, thread_id, serial)
  local customer = config.idem_customers[serial % #config.idem_customers + 1]
  local request = pay_due(customer, "1.25", key)
  sent[key] = 1
  table.insert(retries, {key = key, request = request})
  return request
end

function request()
  step = step + 1
  local kind = step % 10
  if kind <= 1 then
    serial = serial + 1
    local body = string.format('{"type":"customer","name":"Load %s %d %d","mobile":"07%d%06d"}',
      config.key_prefix, thread_id, serial, thread_id, serial)
    return wrk.format("POST", config.base .. "/contacts", headers_json(), body)
  elseif kind <= 3 then
    local customer = config.customers[step % #config.customers + 1]
    return pay_due(customer, "2.50", nil)
  elseif kind <= 6 then
    return keyed()
  elseif kind <= 8 then
    if #retries == 0 then return keyed() end
    local retry = table.remove(retries, 1)
    sent[retry.key] = sent[retry.key] + 1
    return retry.request
  else
    local from = config.accounts[step % #config.accounts + 1]
    local to = config.accounts[(step + 1) % #config.accounts + 1]
    local body = string.format('{"from_account_id":%d,"to_account_id":%d,"amount":"0.75","operation_date":"%s"}',
      from, to, config.today)
    return wrk.format("POST", config.base .. "/accounts/fund-transfer", headers_json(), body)
  end
end

function response(status, headers, body)
  count_response(status, headers, body)
end
