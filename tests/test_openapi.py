"""Every path of the stable surface is in the served OpenAPI document."""

STABLE_PATHS = {
    ("post", "/v1/locations"),
    ("post", "/v1/services"),
    ("post", "/v1/services/{service_id}/sessions"),
    ("get", "/v1/sessions"),
    ("get", "/v1/sessions/{session_id}"),
    ("patch", "/v1/sessions/{session_id}"),
    ("post", "/v1/contacts"),
    ("post", "/v1/bookings"),
    ("get", "/v1/bookings"),
    ("get", "/v1/bookings/{booking_id}"),
    ("post", "/v1/bookings/{booking_id}/confirm"),
    ("post", "/v1/bookings/{booking_id}/decline"),
    ("post", "/v1/bookings/{booking_id}/cancel"),
    ("post", "/v1/bookings/{booking_id}/reschedule"),
    ("get", "/v1/bookings/{booking_id}/eligible-memberships"),
    ("post", "/v1/bookings/{booking_id}/redeem"),
    ("put", "/v1/bookings/{booking_id}/attendance"),
    ("get", "/v1/sessions/{session_id}/roster"),
    ("post", "/v1/sessions/{session_id}/reconcile"),
    ("get", "/v1/orders"),
    ("get", "/v1/orders/{order_id}"),
    ("post", "/v1/orders/{order_id}/payments"),
    ("post", "/v1/orders/{order_id}/mark-paid"),
    ("post", "/v1/orders/{order_id}/refunds"),
    ("post", "/v1/plans"),
    ("post", "/v1/memberships"),
    ("get", "/v1/memberships"),
    ("get", "/v1/memberships/{membership_id}"),
    ("get", "/v1/events"),
}


def test_the_stable_paths_are_all_in_openapi_json(api):
    spec = api.http.get("/openapi.json").json()
    served = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert STABLE_PATHS - served == set()


def test_the_api_reference_is_served_under_docs(api):
    assert api.http.get("/docs").status_code == 200
