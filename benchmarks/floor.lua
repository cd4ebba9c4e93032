-- wrk script for benchmarks/floor.py: every request is a real form post from one of many residents, each
-- line of the prepared file being "Cookie header<TAB>urlencoded body". Arguments: path, file, threads,
-- and "htmx" to send HX-Request. Thread k sends lines k, k + threads, ... (a line used once while they last).
local made = 0
function setup(thread)
  thread:set("id", made)
  made = made + 1
end

local lines = {}
function init(args)
  path, threads, htmx = args[1], tonumber(args[3]), args[4] == "htmx"
  for line in io.lines(args[2]) do
    lines[#lines + 1] = line
  end
  next_line = id
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
