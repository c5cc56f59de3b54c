-- wrk script: every request casts one ballot with the next unused code. Set MODE=bare for the bare view.
local codes = {}
local answers = ""
local thread_index = 0
local next_code = 0
local step = 0
local errors = 0

function setup(thread)
  thread:set("id", thread_index)
  thread_index = thread_index + 1
end

function init(args)
  local f = io.open(os.getenv("CODES_FILE"), "r")
  local i = 0
  for line in f:lines() do
    -- each thread takes every THREADS-th code so no two threads share one
    if i % tonumber(os.getenv("THREADS")) == id then table.insert(codes, line) end
    i = i + 1
  end
  f:close()
  local a = io.open(os.getenv("ANSWERS_FILE"), "r")
  answers = a:read("*a")
  a:close()
  mode = os.getenv("MODE")
  token = ""
  cookie = ""
  kept = ""
end

function request()
  if mode == "bare" then
    return wrk.format("GET", "/bench/bare")
  end
  if mode == "flow" then
    return flow_request()
  end
  next_code = next_code + 1
  local code = codes[next_code]
  if code == nil then return wrk.format("GET", "/healthz") end  -- out of codes: the run was faster than seeded for
  local body = '{"code":"' .. code .. '","answers":' .. answers .. ',"idempotency_key":"' .. code .. '"}'
  return wrk.format("POST", "/api/vote/cast", {["Content-Type"] = "application/json"}, body)
end

-- The voter flow, as a phone does it: the code page, its stylesheet, the code (answered with a redirect), the ballot
-- page it redirects to, the submission (another redirect) and the receipt page.
function flow_request()
  step = step + 1
  local s = step % 6
  local form = {["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}
  if token == "" or s == 1 then
    return wrk.format("GET", "/v/")
  elseif s == 2 then
    return wrk.format("GET", "/static/minping/voter.css")
  elseif codes[next_code + 1] == nil then
    return wrk.format("GET", "/healthz")  -- out of codes
  elseif s == 3 then
    return wrk.format("POST", "/v/", form, "csrfmiddlewaretoken=" .. token .. "&code=" .. codes[next_code + 1])
  elseif s == 4 then
    return wrk.format("GET", "/v/ballot/", {["Cookie"] = cookie .. "; " .. kept})
  elseif s == 5 then
    next_code = next_code + 1
    local body = "csrfmiddlewaretoken=" .. token .. "&step=submit&submission=" .. codes[next_code] .. "&code=" .. codes[next_code] .. answers
    return wrk.format("POST", "/v/ballot/", form, body)
  end
  return wrk.format("GET", "/v/receipt/", {["Cookie"] = cookie .. "; " .. kept})
end

function response(status, headers, body)
  if status >= 400 then errors = errors + 1 end
  local set_cookie = headers["Set-Cookie"] or headers["set-cookie"]  -- granian sends header names in lower case
  if mode == "flow" and set_cookie then
    if token == "" and string.match(set_cookie, "csrftoken=") then
      cookie = string.match(set_cookie, "(csrftoken=[^;]+)")
      token = string.match(body, 'name="csrfmiddlewaretoken" value="([^"]+)"')
    end
    kept = string.match(set_cookie, "(mp_vote=[^;]+)") or string.match(set_cookie, "(mp_receipt=[^;]+)") or kept
  end
end

function done(summary, latency, requests)
  io.write(string.format('JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, "socket_errors": %d, "non2xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
