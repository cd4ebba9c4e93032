-- wrk script for benchmarks/floor.py: every request is a real form post from one of many residents, each
-- line of the prepared file being "Cookie header<TAB>urlencoded body". Arguments: path, file, threads,
-- "htmx" to send HX-Request, and the first line to send (0-based: a later run starts where the last one
-- stopped, so it does not replay what is already stored). Thread k sends lines start + k,
-- start + k + threads, ... (a line used once while they last, then from the top again). At the end it
-- prints "next line: N", the first line no thread has sent, for the next run's start.
local made = 0
local started = {}
function setup(thread)
  thread:set("id", made)
  made = made + 1
  started[#started + 1] = thread
end

local lines = {}
function init(args)
  path, threads, htmx, start = args[1], tonumber(args[3]), args[4] == "htmx", tonumber(args[5] or "0")
  for line in io.lines(args[2]) do
    lines[#lines + 1] = line
  end
  next_line = start + id
end

function request()
  local line = lines[(next_line % #lines) + 1]
  next_line = next_line + threads
  local tab = line:find("\t", 1, true)
  local headers = {
    ["Cookie"] = line:sub(1, tab - 1),
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  if htmx then
    headers["HX-Request"] = "true"
  end
  return wrk.format("POST", path, headers, line:sub(tab + 1))
end

function done(summary, latency, requests)
  local furthest = 0
  for _, thread in ipairs(started) do
    furthest = math.max(furthest, thread:get("next_line"))
  end
  io.write(string.format("next line: %d\n", furthest))
end
