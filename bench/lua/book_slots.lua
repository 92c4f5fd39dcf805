-- The slots of one service on the next working day at the bench hall: the path, with the day
-- and ids known only once the harness has made the hall, comes from the environment.

wrk.method = "GET"
local path = os.getenv("BENCH_SLOTS_PATH")
if path ~= nil and path ~= "" then
  wrk.path = path
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
