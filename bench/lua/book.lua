-- Book through the API: each request another (slot, service) pair from the file the harness
-- wrote (bench/reservations.py), so that no request is refused by the one-a-day rule, and a
-- new Idempotency-Key each time. Threads take interleaved pairs (thread n: n, n + t, …; t from
-- BENCH_THREADS, the harness's wrk thread count, 1 by default).

wrk.method = "POST"

local pairs_path = os.getenv("BENCH_BOOK_PAIRS")
local bodies = {}
for line in io.lines(pairs_path) do
  bodies[#bodies + 1] = line
end

local urandom = io.open("/dev/urandom", "rb")
local prefix = urandom:read(8):gsub(".", function(c) return string.format("%02x", c:byte()) end)
urandom:close()

local threads = 0
setup = function(thread)
  thread:set("first", threads)
  threads = threads + 1
end

local stride = tonumber(os.getenv("BENCH_THREADS") or "1") or 1
local counter = -stride

init = function(args)
  counter = (first or 0) - stride
end

request = function()
  counter = counter + stride
  wrk.headers["Idempotency-Key"] = prefix .. "-" .. counter
  return wrk.format(nil, nil, nil, bodies[counter % #bodies + 1])
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
