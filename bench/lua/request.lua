-- One static request per endpoint spec: method and body come from the environment, headers
-- (cookies) from wrk -H. No request()/response() callbacks, so wrk builds the request once
-- and stays cheap: the load generator must not be the bottleneck.

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then
  wrk.body = body
  if wrk.headers["Content-Type"] == nil then
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
