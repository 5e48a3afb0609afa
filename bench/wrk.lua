-- wrk script for `make bench`: rotates over the paths given after `--`, counts every response that
-- is not 2xx (with --count), and prints one machine-readable summary line.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  count = false
  for _, a in ipairs(args) do
    if a == "--count" then count = true else table.insert(paths, a) end
  end
  index = 0
  non2xx = 0
  if count then
    response = function(status, headers, body)
      if status < 200 or status > 299 then non2xx = non2xx + 1 end
    end
  end
end

function request()
  if #paths == 0 then return wrk.format() end
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

function done(summary, latency, requests)
  local counted = 0
  for _, t in ipairs(threads) do counted = counted + (t:get("non2xx") or 0) end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d non2xx=%d status_errors=%d socket_errors=%d connect=%d "
      .. "read=%d write=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, counted, e.status, e.connect + e.read + e.write + e.timeout,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
