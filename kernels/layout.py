"""Column indices shared by the Python shell and the kernels.

Numba folds these module-level integers into the compiled code. Every index block has a
``*_NAMES`` tuple in the same order so the shell can build and label arrays from it.
"""

# ---- dwelling-level float inputs -------------------------------------------------------
DF_NAMES = (
    "living_area_m2", "thermal_mass_parameter", "draughtproofed_percent",
    "air_permeability_q50", "mv_system_ach", "mv_in_use_factor", "mvhr_efficiency_percent",
    "cylinder_volume_l", "cylinder_declared_loss_kwh_per_day", "cylinder_insulation_mm",
    "main1_fraction", "main2_fraction", "responsiveness", "temperature_adjustment_k",
    "warm_air_fan_sfp", "secondary_fraction", "efficiency_main1", "efficiency_main2",
    "efficiency_secondary", "water_efficiency", "water_efficiency_winter",
    "water_efficiency_summer", "pumps_fixed_kwh", "fans_kwh_per_m3", "price_main1",
    "price_main2", "price_secondary", "price_water", "price_pumps", "price_lighting",
    "price_showers", "price_pv_used", "price_export", "standing_charges_gbp",
    "battery_capacity_kwh", "deflator", "sap_ecf_threshold", "sap_linear_a", "sap_linear_b",
    "sap_log_c", "sap_log_d", "heat_network_factor_main1", "heat_network_factor_water",
    "heat_network_pumping_main1", "heat_network_pumping_water",
    *(f"hp_n24_9_{m}" for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                "oct", "nov", "dec")),
    *(f"hp_n16_9_{m}" for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                "oct", "nov", "dec")),
    "heat_network_chp_credit_co2_main1", "heat_network_chp_credit_co2_water",
    "heat_network_chp_credit_pe_main1", "heat_network_chp_credit_pe_water",
    "heat_network_factor_main2", "heat_network_pumping_main2",
    "heat_network_chp_credit_co2_main2", "heat_network_chp_credit_pe_main2",
    "solar_aperture_area_m2", "solar_zero_loss_efficiency", "solar_a1_w_per_m2k",
    "solar_a2_w_per_m2k2", "solar_loop_efficiency", "solar_incidence_angle_modifier",
    "solar_overshading_factor", "solar_loop_heat_loss_w_per_k", "solar_dedicated_volume_l",
    "solar_combined_cylinder_volume_l", "solar_tilt_deg", "solar_pump_kwh",
    "wwhrs1_mixer_flow_l_per_min", "wwhrs1_efficiency_percent", "wwhrs1_utilisation_factor",
    "wwhrs2_mixer_flow_l_per_min", "wwhrs2_efficiency_percent", "wwhrs2_utilisation_factor",
)
DF_LIVING_AREA = 0
DF_TMP = 1  # NaN: compute (35) from kappa
DF_DP_PCT = 2
DF_Q50 = 3  # NaN when no pressure test
DF_MV_ACH = 4
DF_MV_IUF = 5
DF_MVHR_EFF = 6
DF_CYL_VOL = 7
DF_CYL_DECLARED = 8  # NaN: Table 2 from insulation
DF_CYL_INS_MM = 9
DF_MAIN1_FRAC = 10
DF_MAIN2_FRAC = 11
DF_RESPONSIVENESS = 12  # fraction-weighted R of the main systems (Table 4a/4d)
DF_TEMP_ADJ = 13  # Table 4e temperature adjustment (93)
DF_WARM_AIR_SFP = 14  # 0: no warm air fans
DF_SEC_FRAC = 15
DF_EFF_MAIN1 = 16
DF_EFF_MAIN2 = 17
DF_EFF_SEC = 18
DF_WATER_EFF = 19
DF_WATER_EFF_WINTER = 20
DF_WATER_EFF_SUMMER = 21
DF_PUMPS_FIXED = 22
DF_FANS_PER_M3 = 23
DF_PRICE_MAIN1 = 24
DF_PRICE_MAIN2 = 25
DF_PRICE_SEC = 26
DF_PRICE_WATER = 27
DF_PRICE_PUMPS = 28
DF_PRICE_LIGHTING = 29
DF_PRICE_SHOWERS = 30
DF_PRICE_PV_USED = 31
DF_PRICE_EXPORT = 32
DF_STANDING = 33
DF_BATTERY = 34
DF_DEFLATOR = 35
DF_ECF_THRESHOLD = 36
DF_LIN_A = 37
DF_LIN_B = 38
DF_LOG_C = 39
DF_LOG_D = 40
# heat networks (Appendix C): CO2/PE per kWh of heat generated = factor x 100 / heat-source
# efficiency (1.0 for every other system); pumping electricity fraction of the heat (0 if none)
DF_HN_FACTOR_MAIN1 = 41
DF_HN_FACTOR_WATER = 42
DF_HN_PUMP_MAIN1 = 43
DF_HN_PUMP_WATER = 44
# heat pumps (Appendix N3.5, equation N5): days of each month heated for 24 h (N24,9) and for
# 16 h (N16,9) instead of the standard 9 h schedule; 12 columns each from these indices, zero
# for every other system
DF_HP_N24 = 45
DF_HP_N16 = 57
# heat networks with CHP (code 302, worksheet 12b/13b): credit for the CHP electricity per kWh
# of heat generated = CHP fraction x electrical / heat efficiency x Table 12f factor, taken
# off CO2 and primary energy (0 for every other system)
DF_HN_CREDIT_CO2_MAIN1 = 69
DF_HN_CREDIT_CO2_WATER = 70
DF_HN_CREDIT_PE_MAIN1 = 71
DF_HN_CREDIT_PE_WATER = 72
# a heat network as main heating system 2: the same three quantities for (213) (1.0 / 0 / 0
# for every other system)
DF_HN_FACTOR_MAIN2 = 73
DF_HN_PUMP_MAIN2 = 74
DF_HN_CREDIT_CO2_MAIN2 = 75
DF_HN_CREDIT_PE_MAIN2 = 76
# solar water heating (Appendix H; zero when DI_SOLAR is 0): (H1)-(H6), (H8), (H10), (H12),
# (H13) (the combined cylinder's volume (47); 0 for a separate solar store), the collector
# tilt and the solar pump electricity (230g) (already included in DF_PUMPS_FIXED)
DF_SOLAR_AREA = 77
DF_SOLAR_ETA0 = 78
DF_SOLAR_A1 = 79
DF_SOLAR_A2 = 80
DF_SOLAR_LOOP_EFF = 81
DF_SOLAR_IAM = 82
DF_SOLAR_Z = 83
DF_SOLAR_LOOP_LOSS = 84
DF_SOLAR_VOLUME = 85
DF_SOLAR_COMBINED_VOLUME = 86
DF_SOLAR_TILT = 87
DF_SOLAR_PUMP = 88
# instantaneous waste water heat recovery systems 1 and 2 (Appendix G3, lineage form of
# decision 0024; zero when DI_WWHRS is 0): the summed flow rate of the mixer showers draining
# to the system, its PCDB efficiency (%) and utilisation factor
DF_WWHRS1_FLOW = 89
DF_WWHRS1_EFF = 90
DF_WWHRS1_UTIL = 91
DF_WWHRS2_FLOW = 92
DF_WWHRS2_EFF = 93
DF_WWHRS2_UTIL = 94
N_DF = 95

# ---- dwelling-level integer inputs -----------------------------------------------------
DI_NAMES = (
    "climate_region", "storey_count", "open_chimneys", "open_flues", "closed_fire_flues",
    "solid_fuel_boiler_flues", "other_heater_flues", "blocked_chimneys", "intermittent_fans",
    "passive_vents", "flueless_gas_fires", "wall_construction", "floor_construction",
    "draught_lobby", "pressure_test", "sheltered_sides", "ventilation_type",
    "windows_overshading", "cold_water_source", "bath_count", "water_use_target_125",
    "hot_water_delivery", "combi_keep_hot", "cylinder_insulation_type", "cylinder_thermostat",
    "hot_water_separately_timed", "primary_loss_applies", "primary_pipework_insulation",
    "control_type", "pump1_age", "pump2_age", "cylinder_in_heated_space",
    "fixed_lighting_recorded", "water_blend_system", "fuel_main1", "fuel_main2",
    "fuel_secondary", "fuel_water", "fuel_electricity", "pv_demand_mask",
    "solar_water_heating", "solar_orientation", "pv_diverter", "wwhrs",
)
DI_REGION = 0
DI_STOREY_COUNT = 1  # 0: derive from storeys
DI_OPEN_CHIMNEYS = 2
DI_OPEN_FLUES = 3
DI_CLOSED_FIRE = 4
DI_SOLID_BOILER = 5
DI_OTHER_HEATER = 6
DI_BLOCKED = 7
DI_FANS = 8
DI_PSV = 9
DI_FLUELESS = 10
DI_WALL_CONSTR = 11
DI_FLOOR_CONSTR = 12
DI_LOBBY = 13
DI_PRESSURE_TEST = 14
DI_SHELTERED = 15
DI_VENT_TYPE = 16
DI_OVERSHADING = 17
DI_COLD_SOURCE = 18
DI_BATHS = 19  # -1: default rule
DI_TARGET_125 = 20
DI_HW_DELIVERY = 21
DI_KEEP_HOT = 22
DI_CYL_INS_TYPE = 23
DI_CYL_THERMOSTAT = 24
DI_HW_TIMED = 25
DI_PRIMARY_APPLIES = 26
DI_PIPE_INSULATION = 27
DI_CONTROL_TYPE = 28
DI_PUMP1_AGE = 29  # -1: no pump in heated space; 0 unknown, 1 <= 2012, 2 >= 2013
DI_PUMP2_AGE = 30
DI_CYL_IN_HEATED = 31
DI_LIGHTS_RECORDED = 32  # 1: fixed_lighting given (an empty list means no fixed outlets)
DI_WATER_BLEND = 33  # 0: fixed water efficiency; 1/2: Appendix D blend with main 1/2
DI_FUEL_MAIN1 = 34  # Table 12 fuel codes: rows of the CO2/PE factor tables
DI_FUEL_MAIN2 = 35
DI_FUEL_SEC = 36
DI_FUEL_WATER = 37
DI_FUEL_ELEC = 38  # electricity for pumps, fans, lighting, showers
DI_PV_DEMAND = 39  # bits: 1 main1, 2 main2, 4 secondary, 8 water count in PV demand
DI_SOLAR = 40  # 1: solar water heating (Appendix H), hot water only
DI_SOLAR_ORIENT = 41  # collector orientation code 1-9
DI_PV_DIVERTER = 42  # 1: a PV diverter meeting the Appendix G4 conditions known before the
# kernel (the cylinder-larger-than-(43) condition is checked in the kernel)
DI_WWHRS = 43  # 1: instantaneous WWHRS with connected mixer showers ((63a), Appendix G3)
N_DI = 44

# ---- per-thread scratch row (no allocation inside the dwelling loop) -------------------
S_SOLAR = 0  # 12 monthly solar gains (83)m
S_PV = 12  # 12 monthly PV generation
S_FABRIC = 24  # 16 lines (26)-(37)
S_LIGHT = 40  # 13 lines L1-L9d
S_MIT = 53  # (unused: section 7 returns its 9 values)
# climate-independent monthly values of the dwelling's own pass, reused by its UK-average
# rating pass: (62)m, (64a)m, (73)m, lighting and appliance energy per month, and the WWHRS
# saving (63a)m ((64)m depends on the climate through solar water heating (63c)m and a PV
# diverter (63b)m)
S_KEEP_62 = 62
S_KEEP_64A = 74
S_KEEP_73 = 86
S_KEEP_LIGHT = 98
S_KEEP_APP = 110
S_KEEP_63A = 122
# the same monthly solar gains and PV generation in the UK-average climate (region 0), found
# with the dwelling's own in one pass over its openings and arrays (their Appendix U3
# coefficients do not depend on the climate)
S_SOLAR_UK = 134
S_PV_UK = 146
S_42A = 158  # (42a)m-(42c)m, from the (43) loop
S_42B = 170
S_42C = 182
N_SCRATCH = 194

# ---- element kinds (schema codes) ------------------------------------------------------
EK_EXT_WALL = 1
EK_BASEMENT_WALL = 2
EK_ROOF = 3
EK_GROUND_FLOOR = 4
EK_BASEMENT_FLOOR = 5
EK_EXPOSED_FLOOR = 6
EK_PARTY_WALL = 7
OK_DOOR = 1
OK_WINDOW = 2
OK_ROOF_WINDOW = 3
OK_ROOFLIGHT = 4

# ---- worksheet constants (spec/tables/sap10_2_worksheet_constants.csv) -----------------
C_NAMES = (
    "vent_open_chimney", "vent_open_flue", "vent_closed_fire_flue",
    "vent_solid_fuel_boiler_flue", "vent_other_heater_flue", "vent_blocked_chimney",
    "vent_intermittent_fan", "vent_passive_vent", "vent_flueless_gas_fire",
    "infiltration_per_extra_storey", "structural_infiltration_frame",
    "structural_infiltration_masonry", "floor_infiltration_sealed",
    "floor_infiltration_unsealed", "no_draught_lobby_infiltration",
    "window_infiltration_base", "window_infiltration_draughtproofed", "q50_divisor",
    "shelter_factor_per_side", "wind_factor_divisor", "natural_vent_threshold",
    "natural_vent_base", "mv_default_ach", "mev_half_factor", "air_heat_capacity",
    "curtain_resistance", "occupancy_a", "occupancy_b", "occupancy_tfa0", "occupancy_c",
    "bath_volume", "bath_warm_temperature", "hot_water_temperature", "baths_with_shower_a",
    "baths_with_shower_b", "baths_no_shower_a", "baths_no_shower_b", "showers_with_bath_a",
    "showers_with_bath_b", "other_uses_a", "other_uses_b", "water_target_factor",
    "water_heat_capacity", "distribution_loss_factor", "water_heater_output_factor",
    "water_gains_output_factor", "water_gains_loss_factor", "combi_loss_no_keep_hot",
    "combi_loss_keep_hot_timed", "combi_loss_keep_hot_untimed", "combi_fu_volume",
    "primary_loss_days_factor", "primary_loss_insulated", "primary_loss_uninsulated",
    "primary_loss_constant", "metabolic_gain_per_person", "cooking_gain_a", "cooking_gain_b",
    "evaporation_loss_per_person", "lighting_gain_fraction", "lighting_l1_a",
    "lighting_l1_b", "lighting_exponent", "daylight_glazing_factor", "daylight_threshold",
    "daylight_c2", "daylight_c1", "daylight_c0", "daylight_above_threshold",
    "lighting_fixed_share", "lighting_reference_capacity", "lighting_default_capacity",
    "lighting_default_efficacy", "lighting_portable_share", "lighting_monthly_amplitude",
    "lighting_monthly_phase", "appliance_a", "appliance_amplitude", "appliance_phase",
    "cooking_electricity_a", "cooking_electricity_b", "solar_gain_factor",
    "pump_gain_2013_or_later", "pump_gain_2012_or_earlier", "pump_gain_unknown",
    "warm_air_fan_gain", "living_area_heating_temperature", "elsewhere_type1_hlp_factor",
    "elsewhere_type23_hlp_divisor", "hlp_cap", "off_hours_1", "off_hours_2",
    "off_hours_type3", "time_constant_divisor", "utilisation_a0", "utilisation_tau_divisor",
    "cooling_time_base", "cooling_time_factor", "setback_drop", "space_heating_kwh_factor",
    "cylinder_loss_base",
    "cylinder_factory_a",
    "cylinder_factory_t0",
    "cylinder_jacket_a",
    "cylinder_jacket_t0",
    "cylinder_vf_reference",
    "cylinder_tf_base",
    "cylinder_tf_no_thermostat",
    "cylinder_tf_separately_timed",
    "primary_p_uninsulated",
    "primary_p_first_metre",
    "primary_p_accessible",
    "primary_p_full",
    "primary_h_no_thermostat_winter",
    "primary_h_untimed_winter",
    "primary_h_timed",
    "glazing_g_to_solar_transmittance",
    "shower_minutes",
    "shower_warm_temperature",
    "electric_shower_hours",
    "electric_shower_default_kw",
    "cf_area_offset",
    "ei_threshold",
    "ei_linear_a",
    "ei_linear_b",
    "ei_log_c",
    "ei_log_d",
    "minimum_rating",
    "pv_system_factor",
    "battery_cap_kwh",
    "cpv1_a",
    "cpv1_b",
    "cpv2_a",
    "cpv2_b",
    "cpv3_a",
    "cpv3_b",
    "hp_unimodal_off_hours",
    "solar_loop_loss_base", "solar_loop_loss_per_m2", "solar_loop_a2_temperature_difference",
    "solar_combined_remainder_fraction", "solar_reference_volume_per_m2",
    "solar_storage_correction_exponent", "solar_reference_temperature_base",
    "solar_reference_temperature_cold_factor", "solar_reference_temperature_external_factor",
    "solar_x_max", "solar_h3_ca", "solar_h3_cb", "solar_h3_cc", "solar_h3_cd", "solar_h3_ce",
    "solar_h3_cf", "pv_diverter_surplus_fraction", "pv_diverter_storage_loss_factor",
    "showers_no_bath_a", "showers_no_bath_b", "wwhrs_drain_temperature",
)

C_VENT_OPEN_CHIMNEY = 0
C_VENT_OPEN_FLUE = 1
C_VENT_CLOSED_FIRE_FLUE = 2
C_VENT_SOLID_FUEL_BOILER_FLUE = 3
C_VENT_OTHER_HEATER_FLUE = 4
C_VENT_BLOCKED_CHIMNEY = 5
C_VENT_INTERMITTENT_FAN = 6
C_VENT_PASSIVE_VENT = 7
C_VENT_FLUELESS_GAS_FIRE = 8
C_INFILTRATION_PER_EXTRA_STOREY = 9
C_STRUCTURAL_INFILTRATION_FRAME = 10
C_STRUCTURAL_INFILTRATION_MASONRY = 11
C_FLOOR_INFILTRATION_SEALED = 12
C_FLOOR_INFILTRATION_UNSEALED = 13
C_NO_DRAUGHT_LOBBY_INFILTRATION = 14
C_WINDOW_INFILTRATION_BASE = 15
C_WINDOW_INFILTRATION_DRAUGHTPROOFED = 16
C_Q50_DIVISOR = 17
C_SHELTER_FACTOR_PER_SIDE = 18
C_WIND_FACTOR_DIVISOR = 19
C_NATURAL_VENT_THRESHOLD = 20
C_NATURAL_VENT_BASE = 21
C_MV_DEFAULT_ACH = 22
C_MEV_HALF_FACTOR = 23
C_AIR_HEAT_CAPACITY = 24
C_CURTAIN_RESISTANCE = 25
C_OCCUPANCY_A = 26
C_OCCUPANCY_B = 27
C_OCCUPANCY_TFA0 = 28
C_OCCUPANCY_C = 29
C_BATH_VOLUME = 30
C_BATH_WARM_TEMPERATURE = 31
C_HOT_WATER_TEMPERATURE = 32
C_BATHS_WITH_SHOWER_A = 33
C_BATHS_WITH_SHOWER_B = 34
C_BATHS_NO_SHOWER_A = 35
C_BATHS_NO_SHOWER_B = 36
C_SHOWERS_WITH_BATH_A = 37
C_SHOWERS_WITH_BATH_B = 38
C_OTHER_USES_A = 39
C_OTHER_USES_B = 40
C_WATER_TARGET_FACTOR = 41
C_WATER_HEAT_CAPACITY = 42
C_DISTRIBUTION_LOSS_FACTOR = 43
C_WATER_HEATER_OUTPUT_FACTOR = 44
C_WATER_GAINS_OUTPUT_FACTOR = 45
C_WATER_GAINS_LOSS_FACTOR = 46
C_COMBI_LOSS_NO_KEEP_HOT = 47
C_COMBI_LOSS_KEEP_HOT_TIMED = 48
C_COMBI_LOSS_KEEP_HOT_UNTIMED = 49
C_COMBI_FU_VOLUME = 50
C_PRIMARY_LOSS_DAYS_FACTOR = 51
C_PRIMARY_LOSS_INSULATED = 52
C_PRIMARY_LOSS_UNINSULATED = 53
C_PRIMARY_LOSS_CONSTANT = 54
C_METABOLIC_GAIN_PER_PERSON = 55
C_COOKING_GAIN_A = 56
C_COOKING_GAIN_B = 57
C_EVAPORATION_LOSS_PER_PERSON = 58
C_LIGHTING_GAIN_FRACTION = 59
C_LIGHTING_L1_A = 60
C_LIGHTING_L1_B = 61
C_LIGHTING_EXPONENT = 62
C_DAYLIGHT_GLAZING_FACTOR = 63
C_DAYLIGHT_THRESHOLD = 64
C_DAYLIGHT_C2 = 65
C_DAYLIGHT_C1 = 66
C_DAYLIGHT_C0 = 67
C_DAYLIGHT_ABOVE_THRESHOLD = 68
C_LIGHTING_FIXED_SHARE = 69
C_LIGHTING_REFERENCE_CAPACITY = 70
C_LIGHTING_DEFAULT_CAPACITY = 71
C_LIGHTING_DEFAULT_EFFICACY = 72
C_LIGHTING_PORTABLE_SHARE = 73
C_LIGHTING_MONTHLY_AMPLITUDE = 74
C_LIGHTING_MONTHLY_PHASE = 75
C_APPLIANCE_A = 76
C_APPLIANCE_AMPLITUDE = 77
C_APPLIANCE_PHASE = 78
C_COOKING_ELECTRICITY_A = 79
C_COOKING_ELECTRICITY_B = 80
C_SOLAR_GAIN_FACTOR = 81
C_PUMP_GAIN_2013_OR_LATER = 82
C_PUMP_GAIN_2012_OR_EARLIER = 83
C_PUMP_GAIN_UNKNOWN = 84
C_WARM_AIR_FAN_GAIN = 85
C_LIVING_AREA_HEATING_TEMPERATURE = 86
C_ELSEWHERE_TYPE1_HLP_FACTOR = 87
C_ELSEWHERE_TYPE23_HLP_DIVISOR = 88
C_HLP_CAP = 89
C_OFF_HOURS_1 = 90
C_OFF_HOURS_2 = 91
C_OFF_HOURS_TYPE3 = 92
C_TIME_CONSTANT_DIVISOR = 93
C_UTILISATION_A0 = 94
C_UTILISATION_TAU_DIVISOR = 95
C_COOLING_TIME_BASE = 96
C_COOLING_TIME_FACTOR = 97
C_SETBACK_DROP = 98
C_SPACE_HEATING_KWH_FACTOR = 99
C_CYLINDER_LOSS_BASE = 100
C_CYLINDER_FACTORY_A = 101
C_CYLINDER_FACTORY_T0 = 102
C_CYLINDER_JACKET_A = 103
C_CYLINDER_JACKET_T0 = 104
C_CYLINDER_VF_REFERENCE = 105
C_CYLINDER_TF_BASE = 106
C_CYLINDER_TF_NO_THERMOSTAT = 107
C_CYLINDER_TF_SEPARATELY_TIMED = 108
C_PRIMARY_P_UNINSULATED = 109
C_PRIMARY_P_FIRST_METRE = 110
C_PRIMARY_P_ACCESSIBLE = 111
C_PRIMARY_P_FULL = 112
C_PRIMARY_H_NO_THERMOSTAT_WINTER = 113
C_PRIMARY_H_UNTIMED_WINTER = 114
C_PRIMARY_H_TIMED = 115
C_GLAZING_G_TO_SOLAR_TRANSMITTANCE = 116
C_SHOWER_MINUTES = 117
C_SHOWER_WARM_TEMPERATURE = 118
C_ELECTRIC_SHOWER_HOURS = 119
C_ELECTRIC_SHOWER_DEFAULT_KW = 120
C_CF_AREA_OFFSET = 121
C_EI_THRESHOLD = 122
C_EI_LINEAR_A = 123
C_EI_LINEAR_B = 124
C_EI_LOG_C = 125
C_EI_LOG_D = 126
C_MINIMUM_RATING = 127
C_PV_SYSTEM_FACTOR = 128
C_BATTERY_CAP_KWH = 129
C_CPV1_A = 130
C_CPV1_B = 131
C_CPV2_A = 132
C_CPV2_B = 133
C_CPV3_A = 134
C_CPV3_B = 135
C_HP_UNIMODAL_OFF_HOURS = 136  # Appendix N Table N4 '16': the one daily off period (h)
# Appendix H (sap10_2_appendix_h_solar_water_heating.csv)
C_SOLAR_LOOP_LOSS_BASE = 137
C_SOLAR_LOOP_LOSS_PER_M2 = 138
C_SOLAR_LOOP_A2_DT = 139
C_SOLAR_COMBINED_REMAINDER = 140
C_SOLAR_REFERENCE_VOLUME = 141
C_SOLAR_STORAGE_EXPONENT = 142
C_SOLAR_TREF_BASE = 143
C_SOLAR_TREF_COLD = 144
C_SOLAR_TREF_EXTERNAL = 145
C_SOLAR_X_MAX = 146
C_SOLAR_H3_CA = 147
C_SOLAR_H3_CB = 148
C_SOLAR_H3_CC = 149
C_SOLAR_H3_CD = 150
C_SOLAR_H3_CE = 151
C_SOLAR_H3_CF = 152
# Appendix G4 (sap10_2_appendix_g4_pv_diverter.csv)
C_DIVERTER_SURPLUS_FRACTION = 153
C_DIVERTER_STORAGE_LOSS = 154
C_SHOWERS_NO_BATH_A = 155
C_SHOWERS_NO_BATH_B = 156
# Appendix G3 (sap10_2_appendix_g3_wwhrs.csv): shower waste water temperature, SAP 2009 (G10)
C_WWHRS_DRAIN_TEMPERATURE = 157
N_C = 158

# ---- annual outputs: (column name, worksheet line, unit) --------------------------------
OUTPUTS = (
    ("total_floor_area_m2", "4", "m2"),
    ("dwelling_volume_m3", "5", "m3"),
    ("openings_infiltration_ach", "8", "1/h"),
    ("infiltration_rate_ach", "18", "1/h"),
    ("sheltered_infiltration_rate_ach", "21", "1/h"),
    ("effective_air_change_rate_ach", "25", "1/h"),
    ("fabric_heat_loss_w_per_k", "33", "W/K"),
    ("heat_capacity_kj_per_k", "34", "kJ/K"),
    ("thermal_mass_parameter", "35", "kJ/m2K"),
    ("thermal_bridging_w_per_k", "36", "W/K"),
    ("total_fabric_heat_loss_w_per_k", "37", "W/K"),
    ("ventilation_heat_loss_w_per_k", "38", "W/K"),
    ("heat_transfer_coefficient_w_per_k", "39", "W/K"),
    ("heat_loss_parameter", "40", "W/m2K"),
    ("occupancy", "42", "persons"),
    ("hot_water_litres_per_day", "43", "l/day"),
    ("hot_water_energy_kwh", "45", "kWh/yr"),
    ("distribution_loss_kwh", "46", "kWh/yr"),
    ("storage_loss_kwh", "57", "kWh/yr"),
    ("primary_loss_kwh", "59", "kWh/yr"),
    ("combi_loss_kwh", "61", "kWh/yr"),
    ("water_heater_output_kwh", "64", "kWh/yr"),
    ("electric_shower_kwh", "64a", "kWh/yr"),
    ("water_heating_gains_kwh", "65", "kWh/yr"),
    ("lighting_kwh", "232", "kWh/yr"),
    ("appliances_kwh", "L15", "kWh/yr"),
    ("cooking_kwh", "L21", "kWh/yr"),
    ("internal_gains_w", "73", "W"),
    ("solar_gains_w", "83", "W"),
    ("living_area_fraction", "91", "1"),
    ("mean_internal_temperature_c", "93", "degC"),
    ("space_heating_requirement_kwh", "98", "kWh/yr"),
    ("space_heating_kwh_per_m2", "99", "kWh/m2yr"),
    ("main_heating_efficiency_percent", "206", "%"),
    ("space_heating_fuel_main1_kwh", "211", "kWh/yr"),
    ("space_heating_fuel_main2_kwh", "213", "kWh/yr"),
    ("space_heating_fuel_secondary_kwh", "215", "kWh/yr"),
    ("water_heating_efficiency_percent", "217", "%"),
    ("water_heating_fuel_kwh", "219", "kWh/yr"),
    ("pumps_fans_kwh", "231", "kWh/yr"),
    ("pv_generation_kwh", "233", "kWh/yr"),
    ("pv_used_in_dwelling_kwh", "233a", "kWh/yr"),
    ("pv_exported_kwh", "233b", "kWh/yr"),
    ("space_heating_main1_cost_gbp", "240", "GBP/yr"),
    ("space_heating_main2_cost_gbp", "241", "GBP/yr"),
    ("space_heating_secondary_cost_gbp", "242", "GBP/yr"),
    ("water_heating_cost_gbp", "247", "GBP/yr"),
    ("pumps_fans_cost_gbp", "249", "GBP/yr"),
    ("lighting_cost_gbp", "250", "GBP/yr"),
    ("standing_charges_gbp", "251", "GBP/yr"),
    ("pv_credit_gbp", "252", "GBP/yr"),
    ("total_fuel_cost_gbp", "255", "GBP/yr"),
    ("energy_cost_factor", "257", "1"),
    ("sap_rating_continuous", "258", "1"),
    ("co2_space_heating_kg", "261-263", "kg/yr"),
    ("co2_water_heating_kg", "264", "kg/yr"),
    ("co2_pumps_fans_kg", "267", "kg/yr"),
    ("co2_lighting_kg", "268", "kg/yr"),
    ("co2_pv_kg", "269", "kg/yr"),
    ("co2_kg_per_year", "272", "kg/yr"),
    ("co2_kg_per_m2", "273", "kg/m2yr"),
    ("ei_rating_continuous", "274", "1"),
    ("primary_energy_kwh", "286", "kWh/yr"),
    ("primary_energy_kwh_per_m2", "287", "kWh/m2yr"),
)
O_TFA = 0
O_VOLUME = 1
O_OPENINGS_ACH = 2
O_INFILTRATION_ACH = 3
O_SHELTERED_ACH = 4
O_EFFECTIVE_ACH = 5
O_FABRIC_LOSS = 6
O_HEAT_CAPACITY = 7
O_TMP = 8
O_BRIDGING = 9
O_TOTAL_FABRIC = 10
O_VENT_LOSS = 11
O_HTC = 12
O_HLP = 13
O_OCCUPANCY = 14
O_HW_LITRES = 15
O_HW_ENERGY = 16
O_DIST_LOSS = 17
O_STORAGE_LOSS = 18
O_PRIMARY_LOSS = 19
O_COMBI_LOSS = 20
O_WH_OUTPUT = 21
O_ELECTRIC_SHOWER = 22
O_WH_GAINS = 23
O_LIGHTING = 24
O_APPLIANCES = 25
O_COOKING = 26
O_INTERNAL_GAINS = 27
O_SOLAR_GAINS = 28
O_LIVING_FRACTION = 29
O_MIT = 30
O_SPACE_HEATING = 31
O_SPACE_HEATING_M2 = 32
O_EFF_MAIN = 33
O_FUEL_MAIN1 = 34
O_FUEL_MAIN2 = 35
O_FUEL_SEC = 36
O_WATER_EFF = 37
O_FUEL_WATER = 38
O_PUMPS_FANS = 39
O_PV_GEN = 40
O_PV_USED = 41
O_PV_EXPORT = 42
O_COST_MAIN1 = 43
O_COST_MAIN2 = 44
O_COST_SEC = 45
O_COST_WATER = 46
O_COST_PUMPS = 47
O_COST_LIGHTING = 48
O_STANDING = 49
O_PV_CREDIT = 50
O_TOTAL_COST = 51
O_ECF = 52
O_SAP = 53
O_CO2_SPACE = 54
O_CO2_WATER = 55
O_CO2_PUMPS = 56
O_CO2_LIGHTING = 57
O_CO2_PV = 58
O_CO2 = 59
O_CO2_M2 = 60
O_EI = 61
O_PE = 62
O_PE_M2 = 63
N_OUT = 64

# ---- trace lines: worksheet label; 12 monthly values + annual in column 12 -------------
# scalar lines use only column 12.
TRACE_LINES = (
    "1", "2", "3", "4", "5", "6a", "6b", "6c", "6d", "6e", "6f", "7a", "7b", "7c", "8", "9",
    "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "22a", "22b",
    "23a", "23b", "23c", "25", "26", "27", "27a", "28", "28a", "28b", "29", "29a", "30", "31",
    "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "42a", "42b", "42c",
    "43", "44", "45", "46", "47", "51", "52", "53", "55", "56", "57", "59", "61", "62",
    "V_ww1", "Q_ww1", "eta_ww1", "U_ww1", "S_ww1", "V_ww2", "Q_ww2", "eta_ww2", "U_ww2",
    "S_ww2", "63a", "63b", "H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8", "H9", "H10", "H11",
    "H12", "H13", "H14", "H15", "H16", "H17", "H18", "H20", "H21", "H22", "H23", "H24", "63c",
    "64", "64a", "65", "66", "67", "68", "69", "70", "71", "72", "73", "83", "84", "85", "86",
    "87", "88", "89", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "L1", "L2a",
    "L2b", "L3", "L4", "L5", "L6", "L7", "L8", "L9a", "L9b", "L9c", "L9d", "L13", "L20", "tau",
    "a", "201", "202", "203", "204", "205", "206", "207", "208", "211", "213", "215", "217",
    "219", "230", "230g", "231", "232", "E_PV", "D_PV", "beta", "233a", "233b", "240", "241",
    "242", "247", "249", "250", "251", "252", "255", "256", "257", "258", "261", "262", "263",
    "264", "267", "268", "269", "272", "273", "274", "275", "276", "277", "278", "281", "282",
    "283", "286", "287", "N24,9", "N16,9",
)
T_1 = 0
T_2 = 1
T_3 = 2
T_4 = 3
T_5 = 4
T_6A = 5
T_6B = 6
T_6C = 7
T_6D = 8
T_6E = 9
T_6F = 10
T_7A = 11
T_7B = 12
T_7C = 13
T_8 = 14
T_9 = 15
T_10 = 16
T_11 = 17
T_12 = 18
T_13 = 19
T_14 = 20
T_15 = 21
T_16 = 22
T_17 = 23
T_18 = 24
T_19 = 25
T_20 = 26
T_21 = 27
T_22 = 28
T_22A = 29
T_22B = 30
T_23A = 31
T_23B = 32
T_23C = 33
T_25 = 34
T_26 = 35
T_27 = 36
T_27A = 37
T_28 = 38
T_28A = 39
T_28B = 40
T_29 = 41
T_29A = 42
T_30 = 43
T_31 = 44
T_32 = 45
T_33 = 46
T_34 = 47
T_35 = 48
T_36 = 49
T_37 = 50
T_38 = 51
T_39 = 52
T_40 = 53
T_41 = 54
T_42 = 55
T_42A = 56
T_42B = 57
T_42C = 58
T_43 = 59
T_44 = 60
T_45 = 61
T_46 = 62
T_47 = 63
T_51 = 64
T_52 = 65
T_53 = 66
T_55 = 67
T_56 = 68
T_57 = 69
T_59 = 70
T_61 = 71
T_62 = 72
T_V_WW1 = 73
T_Q_WW1 = 74
T_ETA_WW1 = 75
T_U_WW1 = 76
T_S_WW1 = 77
T_V_WW2 = 78
T_Q_WW2 = 79
T_ETA_WW2 = 80
T_U_WW2 = 81
T_S_WW2 = 82
T_63A = 83
T_63B = 84
T_H1 = 85
T_H2 = 86
T_H3 = 87
T_H4 = 88
T_H5 = 89
T_H6 = 90
T_H7 = 91
T_H8 = 92
T_H9 = 93
T_H10 = 94
T_H11 = 95
T_H12 = 96
T_H13 = 97
T_H14 = 98
T_H15 = 99
T_H16 = 100
T_H17 = 101
T_H18 = 102
T_H20 = 103
T_H21 = 104
T_H22 = 105
T_H23 = 106
T_H24 = 107
T_63C = 108
T_64 = 109
T_64A = 110
T_65 = 111
T_66 = 112
T_67 = 113
T_68 = 114
T_69 = 115
T_70 = 116
T_71 = 117
T_72 = 118
T_73 = 119
T_83 = 120
T_84 = 121
T_85 = 122
T_86 = 123
T_87 = 124
T_88 = 125
T_89 = 126
T_90 = 127
T_91 = 128
T_92 = 129
T_93 = 130
T_94 = 131
T_95 = 132
T_96 = 133
T_97 = 134
T_98 = 135
T_99 = 136
T_L1 = 137
T_L2A = 138
T_L2B = 139
T_L3 = 140
T_L4 = 141
T_L5 = 142
T_L6 = 143
T_L7 = 144
T_L8 = 145
T_L9A = 146
T_L9B = 147
T_L9C = 148
T_L9D = 149
T_L13 = 150
T_L20 = 151
T_TAU = 152
T_A = 153
T_201 = 154
T_202 = 155
T_203 = 156
T_204 = 157
T_205 = 158
T_206 = 159
T_207 = 160
T_208 = 161
T_211 = 162
T_213 = 163
T_215 = 164
T_217 = 165
T_219 = 166
T_230 = 167
T_230G = 168
T_231 = 169
T_232 = 170
T_E_PV = 171
T_D_PV = 172
T_BETA = 173
T_233A = 174
T_233B = 175
T_240 = 176
T_241 = 177
T_242 = 178
T_247 = 179
T_249 = 180
T_250 = 181
T_251 = 182
T_252 = 183
T_255 = 184
T_256 = 185
T_257 = 186
T_258 = 187
T_261 = 188
T_262 = 189
T_263 = 190
T_264 = 191
T_267 = 192
T_268 = 193
T_269 = 194
T_272 = 195
T_273 = 196
T_274 = 197
T_275 = 198
T_276 = 199
T_277 = 200
T_278 = 201
T_281 = 202
T_282 = 203
T_283 = 204
T_286 = 205
T_287 = 206
T_N24_9 = 207  # Appendix N3.5: days of the month at 24 h heating (section 7)
T_N16_9 = 208  # Appendix N3.5: days of the month at 16 h heating (section 7)
N_TRACE = 209

assert len(DF_NAMES) == N_DF
