-- The read mix: the customer directory, a customer's ledger for the year, the balance sheet (in turn).
package.path = os.getenv("LOAD_LUA_DIR") .. "/?.lua;" .. package.path
local config = require("common")
local step = 0

function init(args)
  init_counts()
  step = thread_id
end

function request()
  step = step + 1
  local kind = step % 3
  local path
  if kind == 0 then
    path = config.base .. "/contacts?kind=customer&per_page=20&page=" .. (step % 5 + 1)
  elseif kind == 1 then
    local id = config.customers[step % #config.customers + 1]
    path = config.base .. "/contacts/" .. id .. "/ledger?start_date=" .. config.year_start .. "&end_date=" .. config.today
  else
    path = config.base .. "/accounts/reports/balance-sheet"
  end
  return wrk.format("GET", path, headers_json())
end

function response(status, headers, body)
  count_response(status, headers, body)
end
