-- Shared by reads.lua and writes.lua: the configuration bench/load.py writes (token, ids), per-thread counts of
-- statuses and replays, and a done() that writes every thread's counts and wrk's figures as JSON.
local config = dofile(os.getenv("LOAD_CONFIG"))
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init_counts()
  statuses = {}
  replayed = 0
  sent = {}      -- idempotency key -> times sent
  replay_ids = {} -- payment id -> times seen in a replayed answer
end

function count_response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if headers["Idempotent-Replayed"] == "true" then
    replayed = replayed + 1
    local id = body and string.match(body, '"data":{"id":(%d+)')
    if id then replay_ids[id] = (replay_ids[id] or 0) + 1 end
  end
end

function headers_json(extra)
  local h = {["Authorization"] = "Bearer " .. config.token, ["Content-Type"] = "application/json"}
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function done(summary, latency, requests)
  local all_statuses, all_sent, all_replay_ids, replays = {}, {}, {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      all_statuses[tostring(status)] = (all_statuses[tostring(status)] or 0) + n
    end
    for key, n in pairs(thread:get("sent") or {}) do all_sent['"' .. key .. '"'] = n end
    for id, n in pairs(thread:get("replay_ids") or {}) do
      all_replay_ids['"' .. id .. '"'] = (all_replay_ids['"' .. id .. '"'] or 0) + n
    end
    replays = replays + (thread:get("replayed") or 0)
  end
  local function object(t)
    local parts = {}
    for k, v in pairs(t) do
      local key = string.sub(k, 1, 1) == '"' and k or ('"' .. k .. '"')
      table.insert(parts, key .. ":" .. tostring(v))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  local out = io.open(os.getenv("LOAD_RESULT"), "w")
  out:write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
    .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%f},"statuses":%s,"replayed":%d,"sent":%s,"replay_ids":%s}',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    object(all_statuses), replays, object(all_sent), object(all_replay_ids)))
  out:close()
end

return config
