-- Bandmate in a real DAW: record what a MIDI generator plugin sends, headless, with ardour7-lua.
--
-- Run by tests/tests/ardour.rs as `ardour7-lua record.lua` with a throw-away HOME whose
-- ~/.config/ardour7/scripts holds bm_midilog.lua (and bm_testgen.lua), and whose ~/.vst3 holds the
-- scanned bundle. Parameters come from the environment (all required unless a default is given):
--   BM_SESSION_DIR   new session folder (must not exist)     BM_SESSION_NAME  (default "bandmate")
--   BM_RATE          sample rate (48000)                      BM_BUFFER        period size (1024)
--   BM_BPM           tempo, quarter notes per minute          BM_METER_NUM / BM_METER_DEN (4 / 4)
--   BM_PLUGIN        plugin name as Ardour lists it           BM_PLUGIN_TYPE   VST3 | Lua (VST3)
--   BM_STOP_SAMPLE   stop once the transport reaches this sample (recording starts at sample 0)
--   BM_RESULT        text file written here, one fact per line (parsed by the Rust test)
--   BM_TIMEOUT_S     give up after this many seconds of wall time (120)
--   BM_SETTLE_S      seconds to wait (engine running, transport stopped) after adding the plugin, so
--                    a plugin that prepares its clip in the background is ready before bar 1 (0)
--   BM_EXPORT        optional path: Ardour's own MIDI export of the recorded region is written there
--   BM_SET_PARAMS    optional "Label=value;Label=value" plugin parameters to set before rolling
--
-- Signal flow:  [Gen track: PLUGIN -> BM MIDI Log "gen"] --Gen/midi_out--> Rec/midi_in
--               [Rec track (record-armed): BM MIDI Log "rec"] ; Rec's disk writer records its input.
-- The logs hold every event with its absolute session sample; the recording is the .mid file of the
-- region that appears on Rec's playlist.

local function env (k, default)
	local v = os.getenv (k)
	if v == nil or v == "" then
		if default == nil then error ("missing environment variable " .. k) end
		return default
	end
	return v
end

local dir      = env ("BM_SESSION_DIR")
local name     = env ("BM_SESSION_NAME", "bandmate")
local rate     = math.tointeger (tonumber (env ("BM_RATE", "48000")))
local bufsize  = math.tointeger (tonumber (env ("BM_BUFFER", "1024")))
local bpm      = tonumber (env ("BM_BPM"))
local mnum     = math.tointeger (tonumber (env ("BM_METER_NUM", "4")))
local mden     = math.tointeger (tonumber (env ("BM_METER_DEN", "4")))
local pname    = env ("BM_PLUGIN")
local ptype    = env ("BM_PLUGIN_TYPE", "VST3")
local stop_at  = math.tointeger (tonumber (env ("BM_STOP_SAMPLE")))
local timeout  = tonumber (env ("BM_TIMEOUT_S", "120"))
local settle   = tonumber (env ("BM_SETTLE_S", "0"))
local setp     = env ("BM_SET_PARAMS", "-")
local export   = env ("BM_EXPORT", "-")
local result   = assert (io.open (env ("BM_RESULT"), "w"))

local function out (...)
	local t = table.pack (...)
	for i = 1, t.n do t[i] = tostring (t[i]) end
	local line = table.concat (t, " ")
	result:write (line, "\n")
	result:flush ()
	print ("BM: " .. line)
end

local function fail (msg)
	out ("error", msg)
	result:close ()
	close_session ()
	error (msg)
end

-- engine + session ---------------------------------------------------------------------------------
local backend = AudioEngine:set_backend ("None (Dummy)", "", "")
assert (backend and not backend:isnil (), "no Dummy backend")
backend:set_buffer_size (bufsize)
local s = create_session (dir, name, rate)
if not s then error ("create_session failed for " .. dir) end
out ("backend", AudioEngine:current_backend_name (), "rate", s:nominal_sample_rate (), "buffer", s:get_block_size ())

-- tempo map: one tempo and one meter from the start
local tm = Temporal.TempoMap.fetch_writable ()
tm:set_tempo (Temporal.Tempo (bpm, bpm, mden), Temporal.timepos_t (0))
tm:set_meter (Temporal.Meter (mnum, mden), Temporal.timepos_t (0))
Temporal.TempoMap.update (tm)
tm = Temporal.TempoMap.read ()
out ("tempo", tm:quarters_per_minute_at (Temporal.timepos_t (0)), "meter", mnum, mden)

-- plugin listing (what the scan made visible)
local listed = false
for p in ARDOUR.LuaAPI.list_plugins ():iter () do
	if p.name == pname then
		listed = true
		out ("listed", p.type, p.unique_id, p.category, p.creator)
	end
end
if not listed then fail ("plugin not listed by Ardour: " .. pname) end

-- tracks ---------------------------------------------------------------------------------------------
local midi1 = ARDOUR.ChanCount (ARDOUR.DataType ("midi"), 1)
local function new_track (tname)
	local l = s:new_midi_track (midi1, midi1, false, ARDOUR.PluginInfo (), nil, nil, 1, tname,
		ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true, false)
	if l:size () ~= 1 then fail ("new_midi_track failed: " .. tname) end
	return l:front ()
end
local gen = new_track ("Gen")
local rec = new_track ("Rec")

local types = { VST3 = ARDOUR.PluginType.VST3, Lua = ARDOUR.PluginType.Lua, LV2 = ARDOUR.PluginType.LV2 }
local plug = ARDOUR.LuaAPI.new_plugin (s, pname, types[ptype], "")
if plug:isnil () then fail ("new_plugin failed: " .. pname) end
if gen:add_processor_by_index (plug, 0, nil, true) ~= 0 then fail ("add_processor_by_index failed") end
local pi = plug:to_insert ()
out ("plugin", pi:plugin (0):name (), "inputs", pi:natural_input_streams ():n_midi (), pi:natural_input_streams ():n_audio (),
	"outputs", pi:natural_output_streams ():n_midi (), pi:natural_output_streams ():n_audio ())

-- parameters: list them (label and value), and set the requested ones
local pl = pi:plugin (0)
local wanted = {}
for kv in string.gmatch (setp, "[^;]+") do
	local k, v = string.match (kv, "^%s*(.-)%s*=%s*(.-)%s*$")
	if k then wanted[k] = tonumber (v) end
end
for j = 0, pl:parameter_count () - 1 do
	if pl:parameter_is_control (j) and pl:parameter_is_input (j) then
		local label = pl:parameter_label (j)
		if wanted[label] ~= nil then
			if not ARDOUR.LuaAPI.set_processor_param (plug, j, wanted[label]) then fail ("could not set parameter " .. label) end
			wanted[label] = nil
		end
		out ("param", j, (ARDOUR.LuaAPI.get_processor_param (plug, j, true)), label)
	end
end
for k, _ in pairs (wanted) do fail ("no such plugin parameter: " .. k) end

local function add_log (track, idx)
	local l = ARDOUR.LuaAPI.new_plugin (s, "BM MIDI Log", ARDOUR.PluginType.Lua, "")
	if l:isnil () then fail ("BM MIDI Log not found (install bm_midilog.lua into ~/.config/ardour7/scripts)") end
	if track:add_processor_by_index (l, idx, nil, true) ~= 0 then fail ("adding BM MIDI Log failed") end
	return l
end
local gen_log = add_log (gen, 1) -- right after the plugin: what it sends
local rec_log = add_log (rec, 0) -- first thing on the recording track: what arrives

for i = 0, 8 do
	local p = gen:nth_processor (i)
	if p:isnil () then break end
	out ("gen_processor", i, p:display_name ())
end

-- routing: Gen's MIDI output -> Rec's MIDI input, nothing else --------------------------------------
local gout = gen:output ():midi (0)
local rin = rec:input ():midi (0)
if gout:isnil () then fail ("Gen track has no MIDI output port") end
if rin:isnil () then fail ("Rec track has no MIDI input port") end
gen:output ():disconnect_all (nil)
rec:input ():disconnect_all (nil)
if gout:connect (rin:name ()) ~= 0 then fail ("connecting " .. gout:name () .. " -> " .. rin:name () .. " failed") end
out ("route", gout:name (), rin:name (), gout:connected_to (rin:name ()))

if settle > 0 then sleep (settle) end

-- arm and roll --------------------------------------------------------------------------------------
rec:rec_enable_control ():set_value (1, PBD.GroupControlDisposition.NoGroup)
s:maybe_enable_record (false)
s:request_locate (0, false, ARDOUR.LocateTransportDisposition.MustStop, ARDOUR.TransportRequestSource.TRS_UI)
sleep (0.5) -- let the locate and the record-arm settle (without this the first cycle is not captured)
out ("armed", rec:rec_enable_control ():get_value (), "record_status", s:record_status (), "at", s:transport_sample ())

local t0 = os.time ()
s:request_roll (ARDOUR.TransportRequestSource.TRS_UI)
while s:transport_sample () < stop_at do
	if os.time () - t0 > timeout then fail ("timeout: transport at " .. s:transport_sample ()) end
	sleep (0.002)
end
out ("recording", tostring (s:actively_recording ()))
s:request_stop (false, false, ARDOUR.TransportRequestSource.TRS_UI)
local t1 = os.time ()
while not s:transport_stopped () do
	if os.time () - t1 > 10 then fail ("transport did not stop") end
	sleep (0.01)
end
sleep (0.3) -- a few stopped cycles so the logs see what is sent after the stop
out ("stopped", s:transport_sample ())
out ("xruns", s:get_xrun_count ())

if s:save_state ("", false, false, false, false, false) ~= 0 then fail ("save_state failed") end
out ("saved", s:path (), name)

-- what was recorded ---------------------------------------------------------------------------------
local nreg = 0
for r in rec:playlist ():region_list ():iter () do
	nreg = nreg + 1
	out ("region", r:name (), r:position ():samples (), r:start ():samples (), r:length ():samples ())
	local src = r:source (0)
	if not src:isnil () then
		out ("source", src:name ()) -- the file is interchange/<session folder>/midifiles/<name>
	end
	if export ~= "-" and nreg == 1 then
		out ("exported", tostring (r:to_midiregion ():do_export (export)), export)
	end
end
out ("regions", nreg)

local function dump_log (tag, l)
	local shm = l:to_insert ():plugin (0):to_luaproc ():shmem ()
	local n = shm:atomic_get_int (0)
	local buf = shm:to_int (1):array ()
	for i = 0, n - 1 do
		local o = i * 5
		out ("ev", tag, buf[o + 1], buf[o + 2], buf[o + 3], buf[o + 4], buf[o + 5])
	end
	out ("log", tag, n)
end
dump_log ("gen", gen_log)
dump_log ("rec", rec_log)

out ("ok")
result:close ()
close_session ()
