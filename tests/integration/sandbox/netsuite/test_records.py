"""Record API: CRUD, eid: upserts, externalId uniqueness, references, sublists, errors."""

from __future__ import annotations

import httpx

from .conftest import Sandbox, assert_ns_error, make_customer, make_invoice, new_id


def test_post_creates_with_204_empty_body_and_location(ns: Sandbox, api: httpx.Client) -> None:
    response = api.post(
        "/record/v1/customer", json={"companyName": "Acme", "subsidiary": {"id": "1"}}
    )
    assert response.status_code == 204
    assert response.content == b""
    location = response.headers["location"]
    assert location.startswith(f"{ns.rest}/record/v1/customer/")
    assert location.rsplit("/", 1)[-1].isdigit()


def test_get_returns_singular_resource_with_links_and_references(api: httpx.Client) -> None:
    cid = make_customer(api, email="ap@acme.example")
    response = api.get(f"/record/v1/customer/{cid}")
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.oracle.resource+json; type=singular"
    )
    body = response.json()
    assert body["id"] == cid
    assert body["links"][0]["rel"] == "self"
    assert body["email"] == "ap@acme.example"
    assert body["subsidiary"]["id"] == "1"
    assert body["subsidiary"]["refName"] == "SaaSCo Inc."
    assert body["subsidiary"]["links"][0]["href"].endswith("/record/v1/subsidiary/1")
    assert body["externalId"] == "cust-1"


def test_type_and_field_names_are_case_insensitive(api: httpx.Client) -> None:
    created = api.post(
        "/record/v1/CUSTOMER",
        json={"companyname": "lower co", "SUBSIDIARY": {"id": 1}, "externalid": "lc-1"},
    )
    cid = new_id(created)
    body = api.get(f"/record/v1/customer/{cid}").json()
    assert body["companyName"] == "lower co"  # emitted in camelCase
    assert body["externalId"] == "lc-1"
    inv = make_invoice(api, cid)
    assert api.get(f"/record/v1/INVOICE/{inv}").status_code == 200


def test_patch_updates_returns_204_with_location_and_null_clears(api: httpx.Client) -> None:
    cid = make_customer(api, email="old@x.example", phone="555")
    response = api.patch(
        f"/record/v1/customer/{cid}", json={"email": "new@x.example", "phone": None}
    )
    assert response.status_code == 204
    assert response.headers["location"].endswith(f"/customer/{cid}")
    body = api.get(f"/record/v1/customer/{cid}").json()
    assert body["email"] == "new@x.example"
    assert "phone" not in body
    assert body["companyName"] == "Customer cust-1"  # omitted fields unchanged


def test_delete_returns_204_then_404(api: httpx.Client) -> None:
    cid = make_customer(api)
    assert api.delete(f"/record/v1/customer/{cid}").status_code == 204
    assert_ns_error(api.get(f"/record/v1/customer/{cid}"), 404, "NONEXISTENT_ID")
    assert_ns_error(api.delete(f"/record/v1/customer/{cid}"), 404, "NONEXISTENT_ID")


def test_unknown_record_is_404_nonexistent_id(api: httpx.Client) -> None:
    detail = assert_ns_error(api.get("/record/v1/invoice/999999"), 404, "NONEXISTENT_ID")
    assert detail["detail"] == "Record does not exist."
    assert_ns_error(api.get("/record/v1/customer/eid:nobody"), 404, "NONEXISTENT_ID")


def test_put_upserts_by_external_id(api: httpx.Client) -> None:
    body = {"companyName": "Upsert Co", "subsidiary": {"id": "1"}}
    first = new_id(api.put("/record/v1/customer/eid:up-1", json=body))
    second = new_id(api.put("/record/v1/customer/eid:up-1", json={**body, "email": "u@x.example"}))
    assert first == second
    got = api.get("/record/v1/customer/eid:up-1").json()
    assert got["id"] == first and got["email"] == "u@x.example"
    assert api.patch("/record/v1/customer/eid:up-1", json={"phone": "1"}).status_code == 204
    assert api.delete("/record/v1/customer/eid:up-1").status_code == 204
    assert_ns_error(api.get(f"/record/v1/customer/{first}"), 404, "NONEXISTENT_ID")


def test_put_without_eid_is_rejected(api: httpx.Client) -> None:
    cid = make_customer(api)
    response = api.put(f"/record/v1/customer/{cid}", json={"companyName": "X"})
    assert_ns_error(response, 400, "INVALID_REQUEST")


def test_pipe_and_other_characters_are_rejected_in_eid_urls(api: httpx.Client) -> None:
    body = {"companyName": "Pipe", "subsidiary": {"id": "1"}}
    assert_ns_error(api.put("/record/v1/customer/eid:RED|PO|1", json=body), 400, "INVALID_REQUEST")
    assert_ns_error(api.get("/record/v1/customer/eid:a.b"), 400, "INVALID_REQUEST")


def test_external_id_is_unique_per_record_type(api: httpx.Client) -> None:
    body = {"companyName": "Dup", "subsidiary": {"id": "1"}, "externalId": "dup-1"}
    new_id(api.post("/record/v1/customer", json=body))
    detail = assert_ns_error(api.post("/record/v1/customer", json=body), 400, "USER_ERROR")
    assert "This entity already exists." in detail["detail"]
    other = new_id(api.post("/record/v1/customer", json={**body, "externalId": "dup-2"}))
    assert_ns_error(
        api.patch(f"/record/v1/customer/{other}", json={"externalId": "dup-1"}), 400, "USER_ERROR"
    )
    # Another record type may reuse the value.
    cid = make_customer(api, eid="owner")
    make_invoice(api, cid, eid="dup-1")


def test_unknown_reference_points_at_the_field(api: httpx.Client) -> None:
    cid = make_customer(api)
    body = {
        "entity": {"id": cid},
        "tranDate": "2024-03-15",
        "item": {
            "items": [{"item": {"id": "1"}, "amount": 10}, {"item": {"id": "9999"}, "amount": 5}]
        },
    }
    detail = assert_ns_error(
        api.post("/record/v1/invoice", json=body), 400, "INVALID_CONTENT", "item.items[1].item"
    )
    assert (
        "You have entered an Invalid Field Value 9999 for the following field: item"
        in (detail["detail"])
    )
    cases = {
        "entity": {"entity": {"id": "424242"}},
        "subsidiary": {"subsidiary": {"id": "77"}},
        "currency": {"currency": {"id": "99"}},
        "department": {"department": {"id": "99"}},
        "class": {"class": {"id": "99"}},
        "location": {"location": {"id": "99"}},
        "account": {"account": {"id": "99"}},
    }
    for path, patch in cases.items():
        response = api.post(
            "/record/v1/invoice",
            json={**body, "item": {"items": [{"item": {"id": "1"}, "amount": 10}]}, **patch},
        )
        assert_ns_error(response, 400, "INVALID_CONTENT", path)


def test_references_accept_numeric_ids_and_external_ids(api: httpx.Client) -> None:
    make_customer(api, eid="ref-cust")
    inv = new_id(
        api.post(
            "/record/v1/invoice",
            json={
                "entity": {"externalId": "ref-cust"},
                "tranDate": "2024-03-15",
                "department": {"id": 1},
                "item": {"items": [{"item": {"id": 2}, "quantity": 2, "rate": 50}]},
            },
        )
    )
    body = api.get(f"/record/v1/invoice/{inv}?expandSubResources=true").json()
    assert body["entity"]["refName"] == "Customer ref-cust"
    assert body["department"]["id"] == "1"
    assert body["item"]["items"][0]["amount"] == 100
    assert body["total"] == 100


def test_sublists_are_links_unless_expanded(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid)
    plain = api.get(f"/record/v1/invoice/{inv}").json()
    assert set(plain["item"]) == {"links"}
    expanded = api.get(f"/record/v1/invoice/{inv}", params={"expandSubResources": "true"}).json()
    assert expanded["item"]["items"][0]["item"]["refName"] == "PLAN-STARTER"
    sub = api.get(f"/record/v1/invoice/{inv}/item").json()
    assert sub["totalResults"] == 1


def _lines(api: httpx.Client, inv: str) -> list[dict]:
    body = api.get(f"/record/v1/invoice/{inv}?expandSubResources=true").json()
    return body["item"]["items"]


def test_sublist_line_key_updates_missing_key_appends_replace_and_null(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid, amount="100")
    [line] = _lines(api, inv)
    api.patch(
        f"/record/v1/invoice/{inv}",
        json={
            "item": {
                "items": [
                    {"line": line["line"], "amount": 120},
                    {"item": {"id": "4"}, "amount": 30},
                ]
            }
        },
    )
    lines = _lines(api, inv)
    assert [(x["item"]["id"], x["amount"]) for x in lines] == [("1", 120), ("4", 30)]
    assert api.get(f"/record/v1/invoice/{inv}").json()["total"] == 150
    api.patch(
        f"/record/v1/invoice/{inv}?replace=item",
        json={"item": {"items": [{"item": {"id": "6"}, "amount": 99}]}},
    )
    assert [(x["item"]["id"], x["amount"]) for x in _lines(api, inv)] == [("6", 99)]
    # Emptying the item sublist leaves an invoice without lines, which NetSuite refuses.
    assert_ns_error(api.patch(f"/record/v1/invoice/{inv}", json={"item": None}), 400, "USER_ERROR")
    assert_ns_error(
        api.patch(f"/record/v1/invoice/{inv}", json={"item": {"items": None}}), 400, "USER_ERROR"
    )
    customer_list = {"currencyList": {"items": [{"currency": {"id": "2"}}]}}
    api.patch(f"/record/v1/customer/{cid}", json=customer_list)
    api.patch(f"/record/v1/customer/{cid}", json={"currencyList": None})
    body = api.get(f"/record/v1/customer/{cid}?expandSubResources=true").json()
    assert body["currencyList"]["items"] == []


def test_property_name_validation(api: httpx.Client) -> None:
    body = {"companyName": "Fields", "subsidiary": {"id": "1"}, "favouriteColour": "teal"}
    warned = api.post("/record/v1/customer", json=body)
    assert warned.status_code == 204
    assert "favouriteColour" in warned.headers["x-netsuite-warning"]
    strict = api.post(
        "/record/v1/customer", json=body, headers={"X-NetSuite-PropertyNameValidation": "error"}
    )
    assert_ns_error(strict, 400, "INVALID_CONTENT", "favouriteColour")
    ignored = api.post(
        "/record/v1/customer", json=body, headers={"X-NetSuite-PropertyNameValidation": "ignore"}
    )
    assert ignored.status_code == 204 and "x-netsuite-warning" not in ignored.headers


def test_field_values_are_type_checked(api: httpx.Client) -> None:
    cid = make_customer(api)
    bad_amount = {
        "entity": {"id": cid},
        "tranDate": "2024-03-15",
        "item": {"items": [{"item": {"id": "1"}, "amount": "ten"}]},
    }
    assert_ns_error(
        api.post("/record/v1/invoice", json=bad_amount),
        400,
        "INVALID_CONTENT",
        "item.items[0].amount",
    )
    assert_ns_error(
        api.post("/record/v1/invoice", json={**bad_amount, "tranDate": "15/03/2024"}),
        400,
        "INVALID_CONTENT",
        "tranDate",
    )
    assert_ns_error(
        api.post("/record/v1/customer", json={"companyName": "x", "subsidiary": "1"}),
        400,
        "INVALID_CONTENT",
        "subsidiary",
    )


def test_customer_requires_a_company_name(api: httpx.Client) -> None:
    detail = assert_ns_error(
        api.post("/record/v1/customer", json={"subsidiary": {"id": "1"}}), 400, "USER_ERROR"
    )
    assert "Company Name" in detail["detail"]
    person = {"isPerson": True, "firstName": "Ada", "lastName": "L", "subsidiary": {"id": "1"}}
    assert api.post("/record/v1/customer", json=person).status_code == 204


def test_collection_filter_q(api: httpx.Client) -> None:
    for n in range(3):
        make_customer(api, eid=f"q-{n}", email=f"user{n}@{'acme' if n < 2 else 'other'}.example")
    listed = api.get("/record/v1/customer", params={"q": 'email START_WITH "user"', "limit": 2})
    body = listed.json()
    assert body["totalResults"] == 3 and body["count"] == 2 and body["hasMore"] is True
    assert set(body["items"][0]) == {"links", "id"}
    acme = api.get("/record/v1/customer", params={"q": "email CONTAIN acme"}).json()
    assert acme["totalResults"] == 2
    either = api.get(
        "/record/v1/customer", params={"q": 'externalId IS "q-0" OR externalId ANY_OF [q-2]'}
    ).json()
    assert either["totalResults"] == 2
    detail = assert_ns_error(
        api.get("/record/v1/customer", params={"q": "email WOBBLES x"}), 400, "INVALID_PARAMETER"
    )
    assert detail["o:errorQueryParam"] == "q"


def test_every_error_has_the_netsuite_shape(ns: Sandbox, api: httpx.Client) -> None:
    assert_ns_error(api.get("/record/v1/nosuchtype/1"), 404, "NONEXISTENT_ID")
    assert_ns_error(api.get("/nothing/here"), 404, "NONEXISTENT_ID")
    assert_ns_error(
        api.post(
            "/record/v1/customer", content=b"{nope", headers={"Content-Type": "application/json"}
        ),
        400,
        "INVALID_CONTENT",
    )
    assert_ns_error(
        api.post(
            "/record/v1/customer",
            content=b"a=b",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        415,
        "INVALID_CONTENT",
    )
