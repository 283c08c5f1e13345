"""Initial schema: portfolios, properties, EPC certificates, site notes, landlord overrides,
predicted EPCs, spatial data per UPRN, solar potential, baseline performance, scenarios and
their phases, plans with their phases and measures, stage failures.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portfolios",
        sa.Column("portfolio_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("portfolio_id", name=op.f("pk_portfolios")),
    )
    op.create_table(
        "property_spatial",
        sa.Column("uprn", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("conservation_area", sa.Boolean(), nullable=False),
        sa.Column("listed_building", sa.Boolean(), nullable=False),
        sa.Column("heritage_building", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("uprn", name=op.f("pk_property_spatial")),
    )
    op.create_table(
        "scenarios",
        sa.Column("scenario_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("scenario_id", name=op.f("pk_scenarios")),
    )
    op.create_table(
        "stage_failures",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("error_type", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("property_id", "stage", name=op.f("pk_stage_failures")),
    )
    op.create_table(
        "properties",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("portfolio_id", sa.Text(), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=True),
        sa.Column("landlord_reference", sa.Text(), nullable=True),
        sa.Column("address_line_1", sa.Text(), nullable=True),
        sa.Column("address_line_2", sa.Text(), nullable=True),
        sa.Column("address_line_3", sa.Text(), nullable=True),
        sa.Column("post_town", sa.Text(), nullable=True),
        sa.Column("postcode", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.portfolio_id"],
            name=op.f("fk_properties_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("property_id", name=op.f("pk_properties")),
    )
    op.create_index(
        op.f("ix_properties_portfolio_id"), "properties", ["portfolio_id"], unique=False
    )
    op.create_index(op.f("ix_properties_uprn"), "properties", ["uprn"], unique=False)

    op.create_table(
        "scenario_phases",
        sa.Column("scenario_id", sa.Text(), nullable=False),
        sa.Column("phase_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("allowed_measure_types_json", sa.Text(), nullable=False),
        sa.Column("budget_gbp", sa.Float(), nullable=True),
        sa.Column("target_band", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenarios.scenario_id"],
            name=op.f("fk_scenario_phases_scenario_id_scenarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scenario_id", "phase_number", name=op.f("pk_scenario_phases")),
    )
    op.create_table(
        "baseline_performance",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("certificate_number", sa.Text(), nullable=True),
        sa.Column("survey_id", sa.Text(), nullable=True),
        sa.Column("lodged_sap_score", sa.Integer(), nullable=True),
        sa.Column("lodged_band", sa.Text(), nullable=True),
        sa.Column("lodged_co2_tonnes_per_year", sa.Float(), nullable=True),
        sa.Column("lodged_primary_energy_kwh_per_m2_year", sa.Float(), nullable=True),
        sa.Column("effective_sap_score", sa.Integer(), nullable=False),
        sa.Column("effective_band", sa.Text(), nullable=False),
        sa.Column("effective_co2_tonnes_per_year", sa.Float(), nullable=False),
        sa.Column("effective_primary_energy_kwh_per_m2_year", sa.Float(), nullable=False),
        sa.Column("rebaseline_reason", sa.Text(), nullable=False),
        sa.Column("space_heating_main_kwh", sa.Float(), nullable=False),
        sa.Column("space_heating_secondary_kwh", sa.Float(), nullable=False),
        sa.Column("water_heating_kwh", sa.Float(), nullable=False),
        sa.Column("electric_showers_kwh", sa.Float(), nullable=False),
        sa.Column("lighting_kwh", sa.Float(), nullable=False),
        sa.Column("pumps_and_fans_kwh", sa.Float(), nullable=False),
        sa.Column("cooling_kwh", sa.Float(), nullable=False),
        sa.Column("pv_generation_kwh", sa.Float(), nullable=False),
        sa.Column("bill_energy_charges_gbp", sa.Float(), nullable=False),
        sa.Column("bill_standing_charges_gbp", sa.Float(), nullable=False),
        sa.Column("bill_export_credit_gbp", sa.Float(), nullable=False),
        sa.Column("bill_total_gbp", sa.Float(), nullable=False),
        sa.Column("fuel_rates_snapshot", sa.Text(), nullable=False),
        sa.Column("calculated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["properties.property_id"],
            name=op.f("fk_baseline_performance_property_id_properties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("property_id", name=op.f("pk_baseline_performance")),
    )
    op.create_table(
        "epc_certificates",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("certificate_number", sa.Text(), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=True),
        sa.Column("schema_type", sa.Text(), nullable=False),
        sa.Column("sap_spec_version", sa.Text(), nullable=False),
        sa.Column("inspection_date", sa.Date(), nullable=False),
        sa.Column("registration_date", sa.Date(), nullable=False),
        sa.Column("lodged_sap_score", sa.Integer(), nullable=True),
        sa.Column("lodged_band", sa.Text(), nullable=True),
        sa.Column("lodged_co2_tonnes_per_year", sa.Float(), nullable=True),
        sa.Column("lodged_primary_energy_kwh_per_m2_year", sa.Float(), nullable=True),
        sa.Column("total_floor_area_m2", sa.Float(), nullable=True),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("raw_format", sa.Text(), nullable=False),
        sa.Column("raw_document", sa.LargeBinary(), nullable=False),
        sa.Column("raw_sha256", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["properties.property_id"],
            name=op.f("fk_epc_certificates_property_id_properties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "property_id", "certificate_number", name=op.f("pk_epc_certificates")
        ),
    )
    op.create_index(op.f("ix_epc_certificates_uprn"), "epc_certificates", ["uprn"], unique=False)

    op.create_table(
        "landlord_overrides",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("override", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("raw_value", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["properties.property_id"],
            name=op.f("fk_landlord_overrides_property_id_properties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("property_id", "override", name=op.f("pk_landlord_overrides")),
    )
    op.create_table(
        "plans",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("scenario_id", sa.Text(), nullable=False),
        sa.Column("total_cost_gbp", sa.Float(), nullable=False),
        sa.Column("final_sap_score", sa.Integer(), nullable=True),
        sa.Column("final_band", sa.Text(), nullable=True),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["properties.property_id"],
            name=op.f("fk_plans_property_id_properties"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenarios.scenario_id"],
            name=op.f("fk_plans_scenario_id_scenarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("property_id", "scenario_id", name=op.f("pk_plans")),
    )
    op.create_index(op.f("ix_plans_scenario_id"), "plans", ["scenario_id"], unique=False)

    op.create_table(
        "predicted_epcs",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("predicted_on", sa.Date(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("comparable_certificates_json", sa.Text(), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["properties.property_id"],
            name=op.f("fk_predicted_epcs_property_id_properties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("property_id", name=op.f("pk_predicted_epcs")),
    )
    op.create_table(
        "site_notes",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("survey_id", sa.Text(), nullable=False),
        sa.Column("survey_date", sa.Date(), nullable=False),
        sa.Column("surveyor", sa.Text(), nullable=True),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("raw_format", sa.Text(), nullable=False),
        sa.Column("raw_document", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["properties.property_id"],
            name=op.f("fk_site_notes_property_id_properties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("property_id", "survey_id", name=op.f("pk_site_notes")),
    )
    op.create_table(
        "solar_potential",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("roof_area_m2", sa.Float(), nullable=False),
        sa.Column("pitch_deg", sa.Float(), nullable=False),
        sa.Column("azimuth_deg", sa.Float(), nullable=False),
        sa.Column("annual_yield_kwh_per_kwp", sa.Float(), nullable=False),
        sa.Column("max_array_kwp", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["properties.property_id"],
            name=op.f("fk_solar_potential_property_id_properties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("property_id", name=op.f("pk_solar_potential")),
    )
    op.create_table(
        "plan_phases",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("scenario_id", sa.Text(), nullable=False),
        sa.Column("phase_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cost_gbp", sa.Float(), nullable=False),
        sa.Column("sap_score_after", sa.Integer(), nullable=False),
        sa.Column("band_after", sa.Text(), nullable=False),
        sa.Column("co2_tonnes_per_year_after", sa.Float(), nullable=False),
        sa.Column("primary_energy_kwh_per_m2_year_after", sa.Float(), nullable=False),
        sa.Column("bill_after_gbp", sa.Float(), nullable=False),
        sa.Column("reached_goal", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id", "scenario_id"],
            ["plans.property_id", "plans.scenario_id"],
            name=op.f("fk_plan_phases_property_id_scenario_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "property_id", "scenario_id", "phase_number", name=op.f("pk_plan_phases")
        ),
    )
    op.create_table(
        "plan_measures",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("scenario_id", sa.Text(), nullable=False),
        sa.Column("phase_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("measure_type", sa.Text(), nullable=False),
        sa.Column("measure_option", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("cost_gbp", sa.Float(), nullable=False),
        sa.Column("sap_gain", sa.Float(), nullable=False),
        sa.Column("bill_saving_gbp", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id", "scenario_id", "phase_number"],
            ["plan_phases.property_id", "plan_phases.scenario_id", "plan_phases.phase_number"],
            name=op.f("fk_plan_measures_property_id_scenario_id_phase_number_plan_phases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "property_id", "scenario_id", "phase_number", "sequence", name=op.f("pk_plan_measures")
        ),
    )


def downgrade() -> None:
    op.drop_table("plan_measures")
    op.drop_table("plan_phases")
    op.drop_table("solar_potential")
    op.drop_table("site_notes")
    op.drop_table("predicted_epcs")
    op.drop_index(op.f("ix_plans_scenario_id"), table_name="plans")

    op.drop_table("plans")
    op.drop_table("landlord_overrides")
    op.drop_index(op.f("ix_epc_certificates_uprn"), table_name="epc_certificates")

    op.drop_table("epc_certificates")
    op.drop_table("baseline_performance")
    op.drop_table("scenario_phases")
    op.drop_index(op.f("ix_properties_uprn"), table_name="properties")
    op.drop_index(op.f("ix_properties_portfolio_id"), table_name="properties")

    op.drop_table("properties")
    op.drop_table("stage_failures")
    op.drop_table("scenarios")
    op.drop_table("property_spatial")
    op.drop_table("portfolios")
