-- Submit an application through the API: the static request of request.lua plus a new
-- Idempotency-Key on every request (a random prefix per wrk run, then a counter), as a client
-- applying many times would send. request() runs per request: a little wrk CPU.

wrk.method = os.getenv("BENCH_METHOD") or "POST"
wrk.body = os.getenv("BENCH_BODY") or ""

local urandom = io.open("/dev/urandom", "rb")
local prefix = urandom:read(8):gsub(".", function(c) return string.format("%02x", c:byte()) end)
urandom:close()
local counter = 0

request = function()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. "-" .. counter
  return wrk.format()
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
