ardour {
	["type"]    = "dsp",
	name        = "BM Test Gen",
	category    = "Utility",
	license     = "ISC",
	author      = "Bandmate tests",
	description = [[Test fixture for the Bandmate Ardour test: while the transport rolls, starts a note on every beat
(key 60 + beat mod 12, velocity 100) and ends it half a beat later, using the session's tempo map.
It proves the record path (track -> port -> record-armed track -> .mid) without Bandmate.]]
}

function dsp_ioconfig ()
	return { { midi_in = 1, midi_out = 1, audio_in = 0, audio_out = 0 }, }
end

local rate = 48000

function dsp_init (r) rate = r end

-- the sample of quarter-note beat `b` (a multiple of 0.5), constant tempo from the session start
local function beat_sample (spb, b) return math.floor (b * spb + 0.5) end

function dsp_run (_, _, n_samples)
	assert (type (midiout) == "table")
	if not Session:transport_rolling () then return end
	local pos = Session:transport_sample ()
	local tm = Temporal.TempoMap.read ()
	local qpm = tm:quarters_per_minute_at (Temporal.timepos_t (pos))
	local spb = rate * 60 / qpm
	local m = 1
	-- first half-beat boundary at or after pos
	local h = math.ceil (pos / (spb / 2) - 1e-9)
	while true do
		local s = beat_sample (spb, h / 2)
		if s >= pos + n_samples then break end
		if s >= pos then
			local beat = h // 2
			local key = 60 + (beat % 12)
			if h % 2 == 0 then
				midiout[m] = { time = s - pos + 1, data = { 0x90, key, 100 } }
			else
				midiout[m] = { time = s - pos + 1, data = { 0x80, key, 0 } }
			end
			m = m + 1
		end
		h = h + 1
	end
end
