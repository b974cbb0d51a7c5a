-- wrk script of tests/bench/load_bench.py: every request a new report with its own Idempotency-Key.
-- Text varies; in every block of 100 requests of a thread, 30 are a burst of near-duplicates
-- (the same flood told by different people). Half the reporters give an e-mail address, a third
-- are anonymous. Arguments: comma-separated region codes, comma-separated category codes.
local words = {"jalan", "rusak", "berlubang", "lampu", "mati", "sampah", "menumpuk", "banjir", "saluran",
  "tersumbat", "pungutan", "liar", "sekolah", "guru", "puskesmas", "antrean", "lama", "obat", "kosong",
  "air", "keruh", "listrik", "padam", "jembatan", "retak", "pasar", "becek", "parkir", "macet", "angkot",
  "izin", "lambat", "pelayanan", "kantor", "desa", "kecamatan", "bantuan", "sosial", "tidak", "tepat"}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_no", #threads)
end

local function split(text)
  local out = {}
  for part in string.gmatch(text or "", "[^,]+") do table.insert(out, part) end
  return out
end

function init(args)
  regions = split(args[1])
  categories = split(args[2])
  counter = 0
  run = tostring(os.time())
  math.randomseed(os.time() + thread_no * 7919)
end

local function sentence(n)
  local out = {}
  for i = 1, n do out[i] = words[math.random(#words)] end
  return table.concat(out, " ")
end

function request()
  counter = counter + 1
  local title, body
  if counter % 100 < 30 then
    title = "Banjir setinggi lutut di jalan utama"
    body = "Banjir setinggi lutut di jalan utama sejak pagi, air tidak surut, rumah nomor " .. counter % 17 ..
      " kemasukan air. " .. words[math.random(#words)]
  else
    title = sentence(4)
    body = sentence(25) .. " nomor " .. counter
  end
  local anonymous = counter % 3 == 0
  local reporter = ""
  if not anonymous then
    local email = ""
    if counter % 2 == 0 then email = ', "email": "w' .. thread_no .. "." .. counter .. '@example.org"' end
    reporter = ', "reporter": {"name": "Warga ' .. counter .. '", "phone": "+62 812-7000-' ..
      string.format("%04d", counter % 10000) .. '"' .. email .. '}'
  end
  local doc = '{"classification": "complaint", "title": "' .. title .. '", "body": "' .. body ..
    '", "category": "' .. categories[1 + counter % #categories] .. '", "region": "' ..
    regions[1 + math.floor(counter / #categories) % #regions] .. '", "incident_date": "2026-11-20", ' ..
    '"location": {"address": "Jl. Raden Patah ' .. counter % 90 .. '"}, "anonymous": ' .. tostring(anonymous) ..
    ', "confidential": false' .. reporter .. '}'
  return wrk.format("POST", "/api/v1/reports", {["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-" .. run .. "-" .. thread_no .. "-" .. counter}, doc)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "p999_us": %d}\n', summary.requests,
    summary.duration, e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(50),
    latency:percentile(99), latency:percentile(99.9)))
end
