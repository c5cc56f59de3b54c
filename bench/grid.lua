-- wrk script: every request records one visit to a household of the bench worker's grids, under a new id.
-- With BARE set, every request is a plain GET of the path wrk was given (the bare view, the yardstick).
local households = {}
local bare = nil

function init(args)
  if os.getenv("BARE") then
    bare = wrk.format("GET")
    return
  end
  local f = io.open(os.getenv("HOUSEHOLDS_FILE"), "r")
  for line in f:lines() do table.insert(households, line) end
  f:close()
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  cookie = os.getenv("COOKIE")
  csrf = os.getenv("CSRF")
  day = os.getenv("DAY")
end

local function uuid()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function (c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function request()
  if bare then return bare end
  local household = households[math.random(1, #households)]
  local body = '{"id":"' .. uuid() .. '","household":' .. household .. ',"visited_on":"' .. day .. '","kind":"routine","notes":"bench"}'
  return wrk.format("POST", "/grid/field/visits", {["Content-Type"] = "application/json", ["Cookie"] = cookie,
                                                    ["X-CSRFToken"] = csrf, ["Referer"] = "http://127.0.0.1/grid/field/"}, body)
end

-- What was stored is counted in the database by bench/grid.py; wrk's own count of 4xx/5xx is printed beside it.
function done(summary, latency, requests)
  io.write(string.format('JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, "non2xx": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
