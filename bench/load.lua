-- The load test's mix of pages, for wrk: families at home, on a goal page and rating every active
-- goal, and managers on the dashboard. Every person signed in through the real form beforehand;
-- bench/load.py writes their cookies, form tokens and goals to the Lua file named by
-- BENCH_LOAD_DATA, and reads the JSON that done() prints.
--
-- BENCH_LOAD_MIX: "mixed" for the mix, or one page's name to load that page alone.
-- BENCH_LOAD_PAUSE_MS: "low,high", a pause drawn between these before each request ("0,0": none).

local data = dofile(os.getenv("BENCH_LOAD_DATA"))
local mix_name = os.getenv("BENCH_LOAD_MIX") or "mixed"
local pause_low, pause_high = string.match(os.getenv("BENCH_LOAD_PAUSE_MS") or "0,0", "(%d+),(%d+)")
pause_low, pause_high = tonumber(pause_low), tonumber(pause_high)

-- Share of requests by page, in percent: what families and managers do most is look.
local MIX = {
  {"family home", 49},
  {"goal page", 25},
  {"review form", 8},
  {"review submit", 8},
  {"manager dashboard", 10},
}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local pages = {}
-- Globals, not locals: done() reads each thread's through thread:get().
failures = 0
counts = {}

function init(arguments)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
  for _, entry in ipairs(MIX) do
    if mix_name == "mixed" or mix_name == entry[1] then
      for _ = 1, (mix_name == "mixed" and entry[2] or 1) do
        table.insert(pages, entry[1])
      end
    end
  end
  if #pages == 0 and mix_name == "healthz" then
    pages = {"healthz"}
  end
  assert(#pages > 0, "unknown BENCH_LOAD_MIX " .. mix_name)
end

local function family()
  return data.families[math.random(#data.families)]
end

local function today_fields()
  local now = os.date("*t")
  return "assessed_on=" .. now.day .. "&assessed_on=" .. now.month .. "&assessed_on=" .. now.year
end

local function review_body(person)
  -- Rating again on the same day corrects that day's rating: still a write, not refused.
  local fields = {
    "csrf_token=" .. person.csrf_token,
    "rater=parent_carer",
    today_fields(),
    "note=",
    "replace_same_day=yes",
  }
  for _, goal_id in ipairs(person.goal_ids) do
    table.insert(fields, "performance_" .. goal_id .. "=" .. math.random(10))
    table.insert(fields, "satisfaction_" .. goal_id .. "=" .. math.random(10))
  end
  return table.concat(fields, "&")
end

function request()
  local page = pages[math.random(#pages)]
  counts[page] = (counts[page] or 0) + 1
  if page == "healthz" then
    return wrk.format("GET", "/healthz")
  elseif page == "manager dashboard" then
    return wrk.format("GET", "/manager/", {Cookie = data.manager_cookie})
  end
  local person = family()
  local headers = {Cookie = person.cookie}
  if page == "family home" then
    return wrk.format("GET", "/family/", headers)
  elseif page == "goal page" then
    local goal_id = person.goal_ids[math.random(#person.goal_ids)]
    return wrk.format("GET", "/children/" .. person.child_id .. "/goals/" .. goal_id, headers)
  elseif page == "review form" then
    return wrk.format("GET", "/children/" .. person.child_id .. "/review", headers)
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", "/children/" .. person.child_id .. "/review", headers, review_body(person))
end

function response(status, headers, body)
  -- wrk counts answers over 399 itself; these are the failures it would take for success: a
  -- page that sends the person back to sign in, or a review form shown again with its errors.
  local location = headers["Location"] or headers["location"] or ""
  if (status == 302 and string.find(location, "sign-in", 1, true))
    or (status == 200 and string.find(body, "govuk-error-summary", 1, true)) then
    failures = failures + 1
  end
end

function delay()
  if pause_high <= 0 then
    return 0
  end
  return math.random(pause_low, pause_high)
end

function done(summary, latency, requests)
  local failed = 0
  local by_page = {}
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    for page, count in pairs(thread:get("counts")) do
      by_page[page] = (by_page[page] or 0) + count
    end
  end
  local errors = summary.errors
  local parts = {}
  for page, count in pairs(by_page) do
    table.insert(parts, string.format('"%s": %d', page, count))
  end
  io.write(string.format(
    '\nBENCH-RESULT {"requests": %d, "duration_us": %d, "failed_answers": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d, '
      .. '"sent_by_page": {%s}}\n',
    summary.requests, summary.duration, failed,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    latency.max, table.concat(parts, ", ")
  ))
end
