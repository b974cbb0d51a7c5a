-- wrk script of tests/bench/load_bench.py: GET tracking of known reports, round robin.
-- Argument: a file with one tracking id a line.
function init(args)
  ids = {}
  for line in io.lines(args[1]) do table.insert(ids, line) end
  n = 0
end

function request()
  n = n + 1
  return wrk.format("GET", "/api/v1/reports/" .. ids[1 + n % #ids])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "p999_us": %d}\n', summary.requests,
    summary.duration, e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(50),
    latency:percentile(99), latency:percentile(99.9)))
end
