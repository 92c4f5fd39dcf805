-- Cycle through several request bodies (one per line of BENCH_BODIES), e.g. one sign-in per
-- account of a pool. request() runs per request, which costs wrk a little CPU: use it only
-- where the server side is slow anyway.

wrk.method = os.getenv("BENCH_METHOD") or "POST"
if wrk.headers["Content-Type"] == nil then
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local bodies = {}
for line in string.gmatch(os.getenv("BENCH_BODIES") or "", "[^\n]+") do
  bodies[#bodies + 1] = line
end
local next_body = 0

request = function()
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[next_body])
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
